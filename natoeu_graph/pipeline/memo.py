"""Reports computed from the project's files, remembered on disk beside the graph cache.

A validation report, the QA findings and the results of `natoeu check` are functions of the
input files, the package's code and the library versions (what the graph cache key hashes), plus
the query files they run and, where a query defaults to today, the date. Each is stored under a
hash of exactly those inputs, so an edit to any of them computes it afresh. The store is JSON
with a checksum, written atomically: data only, so a planted or damaged file can at most cause a
recomputation, never run code.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core import checked

_FORMAT = b"natoeu-memo-1\n"
KEEP_PER_KIND = 4  # newest entries kept per kind (several trees may share the directory)


def key(*parts: str, files: Iterable[Path] = ()) -> str:
    """A hash of ``parts`` (e.g. a graph cache key, a date) and of the named files' bytes."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") + b"\0")
    for path in files:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes() if path.exists() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def _file(folder: Path, kind: str, digest: str) -> Path:
    return folder / f"{kind}-{digest[:32]}.json"


def load(folder: Path, kind: str, digest: str) -> Any | None:
    """The value remembered for ``kind`` under ``digest``, or None (absent, damaged, stale)."""
    payload = checked.read(_file(folder, kind, digest), _FORMAT)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("key") != digest or "value" not in data:
        return None
    return data["value"]


def save(folder: Path, kind: str, digest: str, value: Any) -> None:
    """Remember ``value`` (JSON data); an unwritable cache only costs speed."""
    payload = json.dumps({"key": digest, "value": value}, separators=(",", ":"),
                         ensure_ascii=False, sort_keys=True).encode("utf-8")
    with contextlib.suppress(OSError):
        target = _file(folder, kind, digest)
        checked.write(target, _FORMAT, payload)
        older = sorted(target.parent.glob(f"{kind}-*.json"), key=lambda f: f.stat().st_mtime,
                       reverse=True)
        for old in older[KEEP_PER_KIND:]:
            if old != target:
                with contextlib.suppress(OSError):
                    old.unlink()


def remembered_bytes(folder: Path, kind: str, digest: str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``, or the bytes it gave before under the same ``digest`` (base64 in JSON)."""
    hit = load(folder, kind, digest)
    if isinstance(hit, str):
        with contextlib.suppress(ValueError):
            return base64.b64decode(hit.encode("ascii"), validate=True)
    data = compute()
    save(folder, kind, digest, base64.b64encode(data).decode("ascii"))
    return data


_CODE: str | None = None


def code_digest() -> str:
    """A hash of the package's Python files: results computed by other code are not reused."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256()
        package = Path(__file__).resolve().parent.parent
        for path in sorted(package.rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
        _CODE = h.hexdigest()
    return _CODE


def versions(*libraries: str) -> str:
    """``name=version`` of each library, for keys of results that a library shapes."""
    out = []
    for lib in libraries:
        try:
            out.append(f"{lib}={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            out.append(f"{lib}=absent")
    return ";".join(out)
