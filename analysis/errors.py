"""The project's own exception classes.

Every problem with an input a user hands the project (a CSV of published figures, an ACLED
export, a suite file, a report parameter) is raised as one of these, naming where it is: the
file, the line in that file (1-based, the header being line 1), the column and the rule broken.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "AnalysisError",
    "DataError",
    "OutputError",
    "ParameterError",
    "ReportError",
    "ServiceError",
    "SERVICE_FAILURES",
]


class AnalysisError(Exception):
    """Base class of every error the project raises on purpose."""


class DataError(AnalysisError, ValueError):
    """An input file (or table) breaks a rule.

    Parameters
    ----------
    message
        What was expected, in plain words.
    file
        The input file, when the data came from one.
    line
        1-based line number in ``file`` (the header is line 1).
    column
        The column concerned.
    rule
        A short machine-readable name of the rule (``"required"``, ``"allowed_values"``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.column = column
        self.rule = rule
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{prefix}: {self.message}{rule}" if prefix else f"{self.message}{rule}"


class ParameterError(AnalysisError, ValueError):
    """A report parameter (or suite entry) is unknown, of the wrong type or out of range."""


class ReportError(AnalysisError):
    """A report could not be rendered."""


class OutputError(AnalysisError, OSError):
    """A file could not be written where the project writes: the folder is read-only, not
    writable by this user, or its disk is full.

    It is an :class:`OSError` too (with the ``errno`` of the failure), so code that tolerates
    an unwritable folder (the parsed-export cache) still does.

    Parameters
    ----------
    message
        What happened and what to do, in plain words.
    folder
        The folder that could not be written.
    errno
        The operating system's error number.
    """

    def __init__(self, message: str, *, folder: str | PathLike[str], errno: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.folder = str(folder)
        self.errno = errno

    def __str__(self) -> str:
        return f"{self.folder}: {self.message}"


#: the kinds of :class:`ServiceError`
SERVICE_FAILURES = (
    "credentials",
    "access",
    "quota",
    "server",
    "network",
    "request",
    "response",
    "config",
)


class ServiceError(AnalysisError):
    """A data service (ACLED's or UCDP's API) refused a request or answered something unexpected.

    The message never holds a credential: the clients remove the user's name, password and
    tokens from any text a service sends back before quoting it.

    Parameters
    ----------
    message
        What happened and what to do, in plain words.
    service
        ``"ACLED"`` or ``"UCDP"``.
    reason
        Which of the failures it is: ``"credentials"`` (missing, or refused when a token was
        asked for), ``"access"`` (a token was issued but the data refused, e.g. the account's
        access level), ``"quota"`` (too many requests, after retries), ``"server"`` (5xx, after
        retries), ``"network"`` (no answer, after retries), ``"request"`` (the service rejected
        the query, e.g. an unknown version or filter), ``"response"`` (an answer whose shape is
        not the documented one) or ``"config"`` (a bad base URL or settings file).
    status
        The HTTP status of the answer, when there was one.
    url
        The address asked (scheme, host, path and query; never a credential).
    """

    def __init__(
        self,
        message: str,
        *,
        service: str,
        reason: str,
        status: int | None = None,
        url: str | None = None,
    ) -> None:
        if reason not in SERVICE_FAILURES:
            raise ValueError(f"reason must be one of {SERVICE_FAILURES}, not {reason!r}")
        self.message = message
        self.service = service
        self.reason = reason
        self.status = status
        self.url = url
        status_text = f" (HTTP {status})" if status is not None else ""
        where = f" [{url}]" if url else ""
        super().__init__(f"{service}{status_text}: {message}{where}")
