"""The warm path: a canned query answered from the cached Oxigraph store, without rdflib.

A warm `natoeu query NAME -f csv` used to cost 3.7x `python -c "import rdflib"`: the interpreter,
click, rdflib, the cached graph and a SPARQL parse. Here the answer needs none of them. After a
query on the default path, ``prime`` writes the graph to an Oxigraph store in the cache folder
and an index that records the SHA-256 of every file the cache key is made from (inputs, the
package's code; about 1 MB, hashed in a few milliseconds) and the size and mtime of the folders
watched (the data folder, the installed libraries' folders), with the key they gave; the
SHA-256 of each canned query text that passed the safety parse; and the SHA-256 of the store's
own files. ``answer`` uses the store only when every file still has its recorded content, the
store its recorded bytes, the query text is the one parsed, and its parameters are dates and
the query is one Oxigraph answers exactly as rdflib does (stores.proven, which says how that is
proven); otherwise it returns None and the full command runs. The answer is written by
sparql.oxformat, as the full command writes it, in any result format (table, CSV, TSV, JSON).
stores.warm_sparql answers ad-hoc queries from the same store and index (``current``,
``open_store``).

Sizes and mtimes alone were fooled by a same-size edit whose mtime was set back (``touch -r``):
the answer was that of the old data (29, 28, 22 instead of 30, 28, 23). And a store changed in
the cache folder was trusted as long as its key marker was there. Contents cannot be fooled
that way: a store whose bytes are not those recorded is never read, and the next full query
builds it again. (Whoever can write the cache folder and the index together, consistently, can
also change the installed package: that is not a case a cache can defend.)

No rdflib, click or SPARQL parser is imported on this path: only the standard library,
pyoxigraph and the light core modules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..core import checked
from ..core.resources import Resources, cache_dir, locate
from ..sparql.oxformat import rows_text
from . import disk
from .oxrun import evaluate
from .proven import OXIGRAPH_EQUAL

_FORMAT = 3
_INDEX = b"natoeu-warm-index-3\n"
_KEEP_STORES = 4
_PRUNE_AFTER = 600.0  # seconds a store is kept whatever the count
_ENV = ("NATOEU_REASONER",)
# core.namespaces' GRAPH_* (that module imports rdflib); a test keeps the two equal
_GRAPHS = tuple(f"https://w3id.org/natoeu/graph/{part}" for part in
                ("ontology", "asserted", "inferred"))
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _folder() -> Path:
    return cache_dir() / "warm"


def _tree(root: Path) -> str:
    """The tree at ``root``, as it names its index and its store."""
    return hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]


def _index_file(root: Path) -> Path:
    return _folder() / f"index-{_tree(root)}.json"


def _watched(res: Resources) -> list[Path]:
    """The files and folders whose change changes the cache key (pipeline.build.cache_key)."""
    package = Path(__file__).resolve().parent.parent
    libraries = sorted({Path(p) for p in sys.path if p.endswith("-packages") and Path(p).is_dir()})
    return [*res.input_files(), res.data_dir, *sorted(package.rglob("*.py")), *libraries]


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _stamps(paths: Iterable[Path]) -> list[list[Any]]:
    """[path, size, SHA-256] of each file, [path, size, mtime] of each folder (its entries
    changed), [path, None, None] of what is missing."""
    out: list[list[Any]] = []
    for p in paths:
        try:
            st = p.stat()
            if stat.S_ISREG(st.st_mode):
                out.append([str(p), st.st_size, _sha256(p)])
            else:
                out.append([str(p), st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([str(p), None, None])
    return out


def _store_digest(path: Path) -> str | None:
    """The SHA-256 of a store folder's files, names and contents (None if unreadable)."""
    h = hashlib.sha256()
    try:
        for f in sorted(path.iterdir()):
            h.update(f.name.encode() + b"\0")
            h.update(_sha256(f).encode() if f.is_file() else b"<not a file>")
    except OSError:
        return None
    return h.hexdigest()


def _read_index(root: Path) -> dict[str, Any] | None:
    payload = checked.read(_index_file(root), _INDEX)
    if payload is None:
        return None
    try:
        index = json.loads(payload)
    except ValueError:
        return None
    return index if isinstance(index, dict) and index.get("format") == _FORMAT else None


def _context() -> dict[str, Any]:
    return {"python": sys.version, "prefix": sys.prefix,
            "env": {name: os.environ.get(name) for name in _ENV}}


def store_path(key: str, root: Path) -> Path:
    """Where the warm store of the graph of ``key`` for the tree at ``root`` is kept (it may
    not be there yet). One per tree, as the index is: a tree that primed its store never has it
    switched under a reader by another tree's priming (two checkouts, or test copies, of the
    same graph share a cache)."""
    return _folder() / f"store-{key[:32]}-{_tree(root)}"


def prime(res: Resources, key: str, store: Callable[[Path], None],
          queries: Callable[[], dict[str, tuple[str, list[Any]]]],
          fresh_key: Callable[[], str], names: dict[str, dict[str, str]]) -> None:
    """Write the warm store and index for the graph of ``key`` (validated) if missing.

    ``store(path)`` builds the Oxigraph store at ``path``; ``queries()`` maps each canned query
    that passed the safety parse to its text and parameters ([name, kind, default]): called
    only when the index is written, since parsing them all costs more than most queries;
    ``fresh_key()`` recomputes the cache key, after the stamps are taken, so that a file
    changed meanwhile cannot be recorded with the old key. ``names``: "prefixes", declared for
    every query, and "bindings", the namespaces a formatted answer's prefixed names use
    (sparql.oxformat), neither of which the warm path can get without rdflib.
    """
    path = store_path(key, res.root)

    def up_to_date() -> bool:
        index = _read_index(res.root)
        return index is not None and index.get("key") == key and \
            disk.inspect(path).key == key and index.get("store_sha256") == _store_digest(path)

    if up_to_date():
        return
    stamps = _stamps(_watched(res))
    # the contents hashed are those the key was made from: unchanged before and after it
    if fresh_key() != key or _stamps(_watched(res)) != stamps:
        return

    def record() -> None:
        entry = {"format": _FORMAT, "root": str(res.root), "key": key, "store": path.name,
                 "store_sha256": _store_digest(path), "context": _context(),
                 "stamps": stamps, "data": sorted(p.name for p in res.data_files()),
                 "names": names,
                 "queries": {name: {"sha256": hashlib.sha256(text.encode()).hexdigest(),
                                    "params": params}
                             for name, (text, params) in sorted(queries().items())}}
        checked.write(_index_file(res.root), _INDEX, json.dumps(entry, indent=1).encode())

    # missing, of other inputs, unrecorded or changed since it was built: rebuilt and recorded
    # under the store's lock, unless another command of this tree did so meanwhile (replacing
    # it then would switch the files under that command's reader)
    disk.replace(path, store, unless=up_to_date, then=record)
    _prune(path)


def _prune(keep: Path) -> None:
    """The newest stores are kept, and any made in the last minutes: another command (of
    another tree) may be reading it."""
    stores = sorted((p for p in _folder().glob("store-*") if p.is_dir() and p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for old in stores[_KEEP_STORES - 1:]:
        if now - old.stat().st_mtime < _PRUNE_AFTER:
            continue
        if disk.inspect(old).holds is disk.Holds.NATOEU:
            shutil.rmtree(old, ignore_errors=True)


def _arguments(argv: list[str]) -> tuple[str, dict[str, str], str] | None:
    """``query NAME [-p K=V]... [-f table|csv|tsv|json]``, or None for anything else (the full
    CLI handles it)."""
    if len(argv) < 2 or argv[0] != "query":
        return None
    name, rest = argv[1], argv[2:]
    params: dict[str, str] = {}
    fmt = None
    i = 0
    while i < len(rest):
        opt = rest[i]
        if i + 1 >= len(rest):
            return None
        value = rest[i + 1]
        if opt in ("-p", "--param") and "=" in value:
            k, _, v = value.partition("=")
            if k in params:
                return None
            params[k] = v
        elif opt in ("-f", "--format") and fmt is None:
            fmt = value
        else:
            return None
        i += 2
    fmt = fmt or "table"
    return (name, params, fmt) if fmt in ("table", "csv", "tsv", "json") else None


def _date(raw: str) -> str | None:
    value = dt.date.today().isoformat() if raw == "today" else raw
    if not _DATE.fullmatch(value):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return None
    return value


def answer(argv: list[str]) -> str | None:
    """The answer of a warm canned query, or None if the full command must run."""
    try:
        return _answer(argv)
    except Exception:  # anything unexpected: the full command runs and reports properly
        return None


def current() -> tuple[dict[str, Any], Resources] | None:
    """The warm index of the project tree in use, if nothing it was made from has changed
    since (inputs, code, libraries, interpreter, environment); else None."""
    res = locate()
    index = _read_index(res.root)
    if index is None or index.get("context") != _context():
        return None
    if index["data"] != sorted(p.name for p in res.data_files()):
        return None
    if _stamps(Path(p) for p, _, _ in index["stamps"]) != index["stamps"]:
        return None
    return index, res


def open_store(index: dict[str, Any]) -> Any:
    """The warm store, read-only, or None if its files are not those recorded (changed since
    it was built: never read) or it does not hold the graph the index names."""
    import pyoxigraph as ox

    path = _folder() / index["store"]
    if _store_digest(path) != index["store_sha256"]:
        return None
    store = ox.Store.read_only(str(path))
    return store if disk.key_of(store) == index["key"] else None


def _answer(argv: list[str]) -> str | None:
    parsed = _arguments(argv)
    if parsed is None:
        return None
    name, given, fmt = parsed
    found = current()
    if found is None:
        return None
    index, res = found
    entry = index["queries"].get(name)
    if entry is None or name not in OXIGRAPH_EQUAL:  # only where Oxigraph answers as rdflib
        return None
    text = (res.queries_dir / f"{name}.rq").read_text(encoding="utf-8")
    if hashlib.sha256(text.encode()).hexdigest() != entry["sha256"]:
        return None
    if set(given) - {p for p, _, _ in entry["params"]}:
        return None
    for pname, kind, default in entry["params"]:
        raw = given.get(pname, default)
        value = _date(raw) if kind == "xsd_date" and raw is not None else None
        if value is None:
            return None
        term = f'"{value}"^^<http://www.w3.org/2001/XMLSchema#date>'
        text = re.sub(rf"[?$]_{pname}_{kind}\b", term.replace("\\", r"\\"), text)
    store = open_store(index)
    if store is None:
        return None
    solutions = evaluate(store, text, _GRAPHS, _GRAPHS)
    if solutions.kind != "SELECT":
        return None
    return rows_text(solutions.variables, solutions.rows, fmt, index["names"]["bindings"])
