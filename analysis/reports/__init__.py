"""Report rendering: the papermill runner, parameter schemas, HTML export, index and provenance."""
