"""Readers: one module per input format (evidence table, ACLED, UCDP GED, HDX), and the cache."""
