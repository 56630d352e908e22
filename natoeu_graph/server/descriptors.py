"""File descriptors: every connection holds one, and running out stalls everyone.

Where the open-files soft limit is 1,024 (common), a client holding a thousand sockets made
``accept()`` fail with EMFILE before the connection cap could answer: asyncio then stops
accepting for a second at a time (new clients waited seconds) and logged a traceback for every
failure (stderr grew by 1.7 MB/s). So at start-up the soft limit is raised to the hard one, the
connection cap is fitted within it, and EMFILE, if it still happens, is logged once a minute in
one line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import resource
import time
from typing import Any

from .config import Limits

# descriptors the server needs besides client connections: the listening socket, each
# worker's socket and pidfd, the spawners, the packaged files it reads
_RESERVE = 64
_PER_WORKER = 2
_EVERY = 60.0  # seconds between two reports of failed accepts
_log = logging.getLogger("natoeu.serve")


def raise_open_files() -> int:
    """Raise the soft limit on open files to the hard one; return the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard
    if hard == resource.RLIM_INFINITY:
        try:
            with open("/proc/sys/fs/nr_open") as f:  # the kernel's own ceiling
                target = int(f.read())
        except (OSError, ValueError):
            target = max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (OSError, ValueError):
            pass
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def budget(limits: Limits, files: int) -> int:
    """How many client connections fit within ``files`` descriptors."""
    used = _RESERVE + _PER_WORKER * (limits.workers + limits.cheap_workers)
    return max(files - used, 16)


def fit_connections(limits: Limits, files: int) -> Limits:
    """``limits`` with the connection cap lowered to half the connections that fit: the other
    half is left for connections over a client's share, which are answered 429 and closed."""
    fits = max(budget(limits, files) // 2, 8)
    if limits.max_connections <= fits:
        return limits
    _log.warning("natoeu serve: %d open files allowed; at most %d connections instead of %d",
                 files, fits, limits.max_connections)
    return dataclasses.replace(limits, max_connections=fits)


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Report failed accepts (EMFILE, ENFILE, ENOBUFS) once a minute, one line, no traceback;
    leave every other error to the default handler."""
    state = {"last": 0.0, "missed": 0}

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if not message.startswith("socket.accept() out of system resource"):
            loop.default_exception_handler(context)
            return
        state["missed"] += 1
        now = time.monotonic()
        if now - state["last"] >= _EVERY:
            _log.warning("natoeu serve: %d connection(s) could not be accepted: %s "
                         "(open files or memory exhausted); reported once a minute",
                         state["missed"], context.get("exception"))
            state["last"], state["missed"] = now, 0

    loop.set_exception_handler(handler)
