"""Credentials for the event APIs: environment variables, or a user settings file outside the project.

Keys (the same in both places)
------------------------------
``ACLED_USERNAME``, ``ACLED_PASSWORD``
    The e-mail address and password of an ACLED account.
``UCDP_TOKEN``
    The access token UCDP's API maintainer issues.

The settings file is TOML with those keys at the top level, found at ``$TALLIES_CONFIG`` or else
``$XDG_CONFIG_HOME/tallies/config.toml`` (``~/.config/tallies/config.toml``). A variable set in
the environment wins over the file. A settings file inside the project is refused, so a password
can never be committed with the code.

Values are wrapped in :class:`Secret`, whose ``repr`` and ``str`` never show the value: a
credential cannot end up in a log, a traceback's locals, a report or the provenance record by
accident.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.errors import ServiceError

__all__ = ["Secret", "AcledCredentials", "settings_file", "acled_credentials", "ucdp_token"]


class Secret:
    """A credential: ``reveal()`` gives the value; printing it shows ``'***'``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


@dataclass(frozen=True)
class AcledCredentials:
    """An ACLED account: its e-mail address and password (both kept as :class:`Secret`)."""

    username: Secret
    password: Secret


def settings_file() -> Path:
    """Where the user settings file is looked for (it need not exist).

    ``$TALLIES_CONFIG`` when set, else ``$XDG_CONFIG_HOME/tallies/config.toml``, else
    ``~/.config/tallies/config.toml``.
    """
    override = os.environ.get("TALLIES_CONFIG")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "tallies" / "config.toml"


def _from_file(service: str) -> dict[str, str]:
    path = settings_file()
    if not path.is_file():
        return {}
    resolved = path.resolve()
    checkout = paths.checkout_root()
    if checkout is not None and resolved.is_relative_to(checkout):
        raise ServiceError(
            f"the settings file {path} lies inside the project, where it could be committed "
            "with the code; move it outside (for example to ~/.config/tallies/config.toml) or "
            "set the credentials as environment variables",
            service=service,
            reason="config",
        )
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # the parser's message may quote the line, which may hold a password: name the file only
        raise ServiceError(
            f"the settings file {path} is not readable TOML ({type(exc).__name__}); expected "
            'lines such as ACLED_USERNAME = "you@example.org"',
            service=service,
            reason="config",
        ) from None
    return {key: value for key, value in values.items() if isinstance(value, str)}


def _lookup(names: tuple[str, ...], service: str) -> dict[str, Secret]:
    found = {name: os.environ[name] for name in names if os.environ.get(name)}
    if len(found) < len(names):
        from_file = _from_file(service)
        for name in names:
            if name not in found and from_file.get(name):
                found[name] = from_file[name]
    missing = [name for name in names if name not in found]
    if missing:
        raise ServiceError(
            f"no {' or '.join(missing)}: set {'them' if len(missing) > 1 else 'it'} as "
            f"environment variable(s) or in the settings file {settings_file()} "
            '(TOML, e.g. ACLED_USERNAME = "you@example.org")',
            service=service,
            reason="credentials",
        )
    return {name: Secret(value) for name, value in found.items()}


def acled_credentials() -> AcledCredentials:
    """The ACLED account from ``ACLED_USERNAME`` and ``ACLED_PASSWORD`` (environment, then file).

    Raises
    ------
    analysis.errors.ServiceError
        ``reason="credentials"`` when either is missing (the message names which and where it
        was looked for); ``reason="config"`` for a settings file inside the project or not TOML.
    """
    values = _lookup(("ACLED_USERNAME", "ACLED_PASSWORD"), "ACLED")
    return AcledCredentials(values["ACLED_USERNAME"], values["ACLED_PASSWORD"])


def ucdp_token() -> Secret:
    """UCDP's access token from ``UCDP_TOKEN`` (environment, then file); see :func:`acled_credentials`."""
    return _lookup(("UCDP_TOKEN",), "UCDP")["UCDP_TOKEN"]
