"""Linking the sources: events across datasets, incidents to events, overlapping lists.

- :mod:`analysis.link.match`: :func:`match_events` (window blocking, a Fellegi-Sunter model
  fitted with Splink, one-to-one resolution; or MELTT's window rule) and
  :func:`match_quality`;
- :mod:`analysis.link.incidents`: the events of an export in an incident's place and days;
- :mod:`analysis.link.overlap`: capture histories from matched lists, and multiple systems
  estimates over match thresholds;
- :mod:`analysis.link.synthetic`: SYNTHETIC matched pairs with known truth.
"""
