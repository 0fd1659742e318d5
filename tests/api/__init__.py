"""Tests of the ACLED and UCDP API clients, against local fake services (SYNTHETIC data)."""
