"""Harmonisation: the canonical event schema, actor groups, and aggregation to periods."""
