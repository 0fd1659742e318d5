"""Tests of the event-export readers, the actor table, aggregation and the cache."""
