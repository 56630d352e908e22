"""Defence in depth for query workers: no file, network or process access while a query runs.

The query text is already refused if it has FROM, FROM NAMED or SERVICE (queries.prepare), and
update forms never parse as queries. Behind that, each worker:
- turns off rdflib's dataset loading (``SPARQL_LOAD_GRAPHS``: FROM and LOAD never dereference);
- installs a urllib opener that refuses every URL (SERVICE goes through urlopen);
- installs an audit hook that, while a job runs, refuses network connections, DNS look-ups,
  sub-processes and opening any file outside the interpreter's and the package's own trees
  (lazy imports still work). Refused events are counted and, when ``NATOEU_SERVER_AUDIT_LOG``
  names a file, appended to it through a descriptor opened beforehand (the tests read it).
Audit hooks are not a sandbox against hostile *code*; here the attacker controls only queries.
"""

from __future__ import annotations

import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

import rdflib.plugins.sparql as rdflib_sparql

AUDIT_LOG_ENV = "NATOEU_SERVER_AUDIT_LOG"
_WATCHED = ("open", "urllib.Request", "socket.connect", "socket.getaddrinfo", "socket.bind",
            "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
            "shutil.copyfile", "os.remove", "os.rename")


class _State:
    active = False
    log_fd: int | None = None
    refused = 0
    roots: tuple[str, ...] = ()


class _RefuseAll(urllib.request.BaseHandler):
    def default_open(self, req: Any) -> Any:
        raise urllib.error.URLError("network access is disabled in the query worker")


def _record(event: str, arg: Any) -> None:
    _State.refused += 1
    if _State.log_fd is not None:
        line = f"{os.getpid()}\t{event}\t{arg!r}\n".encode("utf-8", "replace")
        os.write(_State.log_fd, line)


def _allowed_open(args: tuple[Any, ...]) -> bool:
    path, mode = args[0], args[1] if len(args) > 1 else "r"
    if isinstance(path, int):  # an already-open descriptor
        return True
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return False
    flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return real.startswith(_State.roots)


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _State.active or not event.startswith(_WATCHED):
        return
    if event == "open" and _allowed_open(args):
        return
    _record(event, args[0] if args else None)
    raise PermissionError(f"{event} is not allowed while a query runs")


def install() -> None:
    """Call once in each worker, before its first job."""
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    urllib.request.install_opener(urllib.request.build_opener(_RefuseAll()))
    package = str(Path(__file__).resolve().parent.parent)
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    _State.roots = tuple(os.path.realpath(p) + os.sep for p in (*prefixes, package))
    log = os.environ.get(AUDIT_LOG_ENV)
    if log:
        _State.log_fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    sys.addaudithook(_hook)


class untrusted:
    """While inside, the audit hook refuses file, network and process access."""

    def __enter__(self) -> None:
        _State.active = True

    def __exit__(self, *exc: object) -> None:
        _State.active = False


def refused() -> int:
    return _State.refused
