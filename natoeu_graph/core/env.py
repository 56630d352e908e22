"""Numbers read from the environment, refused with one clear message when they are not."""

from __future__ import annotations

import os

from .errors import UsageError

# a deadline is kept by an interval timer, whose seconds must fit the platform's time_t:
# NATOEU_PARSE_TIMEOUT=1e12 failed inside the timer. A week is more than any run needs.
MAX_SECONDS = 7 * 24 * 3600.0


def seconds(name: str, default: float) -> float:
    """``$name`` as a positive number of seconds up to MAX_SECONDS, or ``default`` if unset."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_SECONDS:  # also refuses nan and infinity
        raise UsageError(f"{name}={raw!r} is not a number of seconds from 0 to "
                         f"{MAX_SECONDS:.0f} (a week)",
                         hint=f"Set it to a positive number (default {default:g}), or unset it.")
    return value
