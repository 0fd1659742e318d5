"""Report rendering: the papermill runner, parameter schemas, HTML export, index and provenance.

Modules
-------
``params``
    The notebooks' parameter declarations and their validation.
``suite``
    The suite file (``reports/suite.yml``): loading, expansion, safe report names.
``runner``
    papermill execution, nbconvert HTML export, parallel runs.
``index``
    The index page listing every report of a run.
``provenance``
    The footer closing every report: parameters, versions, commit, input checksums, date.
``cli``
    The ``tallies report`` and ``tallies params`` sub-commands.

Nothing heavy is imported here: papermill and nbconvert load only when a report is rendered.
"""
