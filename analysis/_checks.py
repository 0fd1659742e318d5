"""Argument checks shared by the statistics modules (option sets declared as ``Literal`` types)."""

from __future__ import annotations

from typing import Any, get_args

__all__ = ["check_option"]


def check_option(name: str, value: object, kind: Any) -> None:
    """Raise ``ValueError`` unless ``value`` is one of the values of the ``Literal`` ``kind``."""
    allowed = get_args(kind)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
