"""Checks shared across the package: option sets declared as ``Literal`` types, and the
"did you mean" hint of an error message."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, get_args

__all__ = ["check_option", "did_you_mean"]


def did_you_mean(value: object, options: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options``, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_option(name: str, value: object, kind: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is one of the values of the ``Literal`` ``kind``."""
    allowed = get_args(kind)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
