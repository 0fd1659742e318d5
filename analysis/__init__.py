"""Civilian-death tallies for Mali, compared across reporting bodies and periods.

The public functions are importable from here, e.g.::

    from analysis import load_tallies, compare_incident, its_fit

Importing the package is light: each function's module (and heavy libraries such as
statsmodels or matplotlib) is only imported the first time the function is used.
"""

from __future__ import annotations

import importlib

from analysis.errors import AnalysisError, DataError, ParameterError, ReportError

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_EXPORTS: dict[str, str] = {
    # the evidence table
    "load_tallies": "analysis.sources.tallies",
    "load_sources": "analysis.sources.tallies",
    "load_bodies": "analysis.sources.tallies",
    "load_interventions": "analysis.sources.tallies",
    "tally_bounds": "analysis.sources.tallies",
    "audit_tallies": "analysis.audit",
    # event exports
    "read_acled": "analysis.sources.acled",
    "read_ucdp_ged": "analysis.sources.ucdp",
    "read_hdx_aggregates": "analysis.sources.hdx",
    "harmonize_actors": "analysis.harmonize.actors",
    "load_actor_table": "analysis.harmonize.actors",
    "unmatched_actors": "analysis.harmonize.actors",
    "confusable_actors": "analysis.harmonize.actors",
    "aggregate_events": "analysis.harmonize.aggregate",
    "aggregate_series": "analysis.harmonize.monthly",
    "scope_events": "analysis.harmonize.selection",
    "sniff_format": "analysis.sources.formats",
    "detect_source": "analysis.sources.formats",
    # comparing bodies
    "compare_incident": "analysis.compare",
    "align_periods": "analysis.compare",
    "compare_periods": "analysis.compare",
    "published_before_after": "analysis.compare",
    "bodies_before_after": "analysis.compare",
    "compare_windows": "analysis.compare",
    "describe_window_comparison": "analysis.compare",
    "describe_body_before_after": "analysis.compare",
    "incidents_with_bodies": "analysis.compare",
    "tally_series": "analysis.harmonize.periods",
    # before and after
    "rate_ratio": "analysis.trends",
    "before_after": "analysis.trends",
    "its_fit": "analysis.trends",
    "arrival_sensitivity": "analysis.trends",
    "placebo_dates": "analysis.trends",
    "share_change": "analysis.trends",
    "simulate_bounds": "analysis.trends",
    "robustness": "analysis.trends",
    "pretrend_projection": "analysis.trends",
    "change_point_scan": "analysis.trends",
    # linking the sources
    "match_events": "analysis.link.match",
    "match_quality": "analysis.link.match",
    "incident_windows": "analysis.link.incidents",
    "incident_events": "analysis.link.incidents",
    "incident_coverage": "analysis.link.incidents",
    "capture_histories": "analysis.link.overlap",
    "history_counts": "analysis.link.overlap",
    "links_from_matches": "analysis.link.overlap",
    "links_from_incidents": "analysis.link.overlap",
    "mse_match_sensitivity": "analysis.link.overlap",
    # overlapping lists
    "lincoln_petersen": "analysis.mse",
    "chapman": "analysis.mse",
    "mse_loglinear": "analysis.mse",
    "mse_compare": "analysis.mse",
}

__all__ = [
    "AnalysisError",
    "DataError",
    "ParameterError",
    "ReportError",
    "__version__",
    *_EXPORTS,
]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
