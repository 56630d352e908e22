"""Numbers read from the environment, refused with one clear message when they are not."""

from __future__ import annotations

import os

from .errors import UsageError


def seconds(name: str, default: float) -> float:
    """``$name`` as a positive, finite number of seconds, or ``default`` when unset."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):  # also refuses nan
        raise UsageError(f"{name}={raw!r} is not a number of seconds",
                         hint=f"Set it to a positive number (default {default:g}), or unset it.")
    return value
