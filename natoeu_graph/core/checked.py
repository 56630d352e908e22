"""Cache files that prove their own integrity: a format line, the SHA-256 of the payload, then
the payload, written atomically. A damaged, truncated or foreign file reads as None (a rebuild),
never as data: nothing in it is ever executed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import atomic


def write(path: Path, fmt: bytes, payload: bytes) -> None:
    """Write ``payload`` under the format line ``fmt`` (ending in a newline); OSError passes."""
    check = hashlib.sha256(payload).hexdigest().encode()
    atomic.write_bytes(path, fmt + check + b"\n" + payload)


def read(path: Path, fmt: bytes) -> bytes | None:
    """The payload, if the file exists, has the format line ``fmt`` and its checksum holds."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, _, rest = raw.partition(b"\n")
    check, _, payload = rest.partition(b"\n")
    if head + b"\n" != fmt or hashlib.sha256(payload).hexdigest().encode() != check:
        return None
    return payload
