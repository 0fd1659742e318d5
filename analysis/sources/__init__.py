"""Readers: one module per input format (evidence table, ACLED, UCDP GED, HDX), and the cache.

The subpackage :mod:`analysis.sources.api` holds the ACLED and UCDP API clients, which pull
events into ``data/raw/`` in the formats these readers read.
"""
