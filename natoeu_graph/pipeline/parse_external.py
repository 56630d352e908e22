"""External RDF merged for one call (`--with`), under the untrusted-input rules of
size caps, a parse deadline, no remote or file JSON-LD contexts, no DTDs in RDF/XML,
IRIs and datatypes checked, and nothing merged unless every file is good. The deadline
covers all the work of one call on external data (``budget``): parsing, checks, the validation
of the merged graph and the query; big files within the caps took 83-105 s and up to 2.7 GiB
when only their parsing was timed.

Turtle, TriG, N-Triples and N-Quads are read by Oxigraph's parser, whose time is linear in the
input: rdflib's grows with the square of the line breaks or escapes inside one literal (1.6 MB
of them took two minutes). RDF/XML (rdflib) and JSON-LD (pyld) stay with their reference
parsers, under the same deadline.
"""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..core import env
from ..core.errors import InputError
from ..core.namespaces import new_graph
from .parse import OXIGRAPH_FORMATS, check_terms, invalid_iri, parse_oxigraph, printable

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_TRIPLES = 500_000
TIMEOUT_ENV = "NATOEU_PARSE_TIMEOUT"
DEFAULT_TIMEOUT = 60.0  # seconds for all --with files of one call; 50 MB parse in about 15 s

FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads",
           ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml"}
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class _Overtime(BaseException):
    """Raised by the alarm inside a parser; a BaseException so no parser's handler eats it."""


_running: list[float] = []  # the end of the deadline in force, if any (they do not nest)


@contextmanager
def _deadline(seconds: float) -> Iterator[float]:
    """Interrupt the parsers after ``seconds``: a timer signal in the main thread (pure-Python
    parsers), and the returned end time for the loops that check it (Oxigraph's iterator).
    Inside a deadline already running (``budget``), that one holds."""
    if _running:
        yield _running[0]
        return
    end = time.monotonic() + seconds
    if threading.current_thread() is not threading.main_thread():
        yield end
        return

    def overtime(_signum: int, _frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, overtime)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _running.append(end)
    try:
        yield end
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _running.clear()


@contextmanager
def budget(paths: Iterable[str]) -> Iterator[None]:
    """All the work of one call on the external files ``paths`` (parsing, checks, validation
    of the merged graph, the query) within NATOEU_PARSE_TIMEOUT seconds; past it InputError."""
    seconds = env.seconds(TIMEOUT_ENV, DEFAULT_TIMEOUT)
    try:
        with _deadline(seconds):
            yield
    except _Overtime:
        raise InputError(", ".join(paths), None,
                         f"the work on this data (parsing, checking, validating, querying) "
                         f"took longer than {seconds:g} s; stopped",
                         hint=f"Split or shrink the input; if you trust it, raise "
                         f"{TIMEOUT_ENV} (seconds).") from None


def expand(paths: Iterable[str]) -> list[Path]:
    """Files named directly, and the RDF files (by suffix) inside named directories."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.suffix.lower() in FORMATS)
            if not found:
                raise InputError(raw, None, "a folder without RDF files",
                                 hint="Files are read by suffix: "
                                 f"{', '.join(sorted(FORMATS))}.")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(raw, None, "no such file or directory",
                             hint="Check the path; a relative path starts from the working "
                             f"directory, {Path.cwd()}.")
    return out


# Mapped as @vocab ahead of the file's own context: a key or type that the file's context does
# not define, which JSON-LD would silently drop, comes out under this prefix and is refused.
_UNDEFINED = "urn:natoeu:undefined-term:"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _flag_undefined(doc: Any) -> Any:
    marker = {"@vocab": _UNDEFINED}
    if isinstance(doc, dict):
        own = doc.get("@context")
        contexts = [] if own is None else own if isinstance(own, list) else [own]
        return {**doc, "@context": [marker, *contexts]}
    if isinstance(doc, list):
        return {"@context": marker, "@graph": doc}
    return doc


_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _check_ids(path: Path, node: Any) -> None:
    """pyld drops a node whose @id is not a valid absolute IRI without a word: refuse it
    instead, naming the IRI."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            ids: list[Any] = [item.get("@id"), *(k for k in item if not k.startswith("@"))]
            types = item.get("@type")
            if "@value" not in item and isinstance(types, list):  # a node's types, not a datatype
                ids += types
            for iri in ids:
                if isinstance(iri, str) and not iri.startswith("_:") and (
                        invalid_iri(iri) or not _ABSOLUTE.match(iri)):
                    raise InputError(str(path), None,
                                     f"invalid IRI '{printable(iri)}' in JSON-LD",
                                     hint="Use absolute IRIs without spaces or <>\"{}|^`\\.")
            stack.extend(v for k, v in item.items() if k != "@context")


def _term(spec: dict[str, Any], bnodes: dict[str, BNode]) -> Node:
    if spec["type"] == "blank node":
        return bnodes.setdefault(spec["value"], BNode())  # fresh per file: _:b0 is file-local
    if spec["type"] == "IRI":
        return URIRef(spec["value"])
    if spec.get("language"):
        return Literal(spec["value"], lang=spec["language"])
    datatype = spec.get("datatype")
    return Literal(spec["value"], datatype=None if datatype in (None, _XSD_STRING)
                   else URIRef(datatype))


def _jsonld(path: Path, data: bytes, context: dict[str, Any]) -> Graph:
    from pyld import jsonld

    from ..core.context import offline_loader

    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputError(str(path), None, "JSON nested too deeply") from exc
    try:
        # Terms come straight from pyld's dataset, not through N-Quads text: an @id holding
        # "> <" cannot inject a triple, and check_terms sees (and refuses) the IRI as written.
        options = {"documentLoader": offline_loader(context), "base": path.resolve().as_uri()}
        expanded = jsonld.expand(_flag_undefined(doc), options)
        _check_ids(path, expanded)
        dataset = jsonld.to_rdf(expanded, options)
    except RecursionError as exc:
        raise InputError(str(path), None, "JSON-LD nested too deeply") from exc
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError) as exc:  # pyld raises these
        cause: BaseException = exc
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause  # type: ignore[attr-defined]
        reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        raise InputError(
            str(path), None, f"JSON-LD refused: {reason}",
            hint="Contexts must be inline: natoeu never loads a remote or local @context.",
        ) from exc
    g = new_graph()
    bnodes: dict[str, BNode] = {}
    for triples in dataset.values():
        for triple in triples:
            s, p, o = (_term(triple[k], bnodes) for k in ("subject", "predicate", "object"))
            for term in (p, o if p == RDF.type else None):
                if isinstance(term, URIRef) and str(term).startswith(_UNDEFINED):
                    raise InputError(
                        str(path), None,
                        f"JSON-LD term '{term[len(_UNDEFINED):]}' is not defined by the "
                        "document's context; JSON-LD would drop it silently",
                        hint="Map it in the @context, or use a full IRI as the key.")
            g.add((s, p, o))
    return g


def _rdf(path: Path, data: bytes, fmt: str, end: float) -> Graph:
    if fmt in OXIGRAPH_FORMATS:
        def overtime() -> None:
            if time.monotonic() > end:
                raise _Overtime

        return parse_oxigraph(path, data, fmt, every=overtime)
    if _DTD.search(data):
        raise InputError(str(path), None, "RDF/XML with a DTD or entity declaration refused",
                         hint="Remove the <!DOCTYPE>/<!ENTITY>; entity expansion is a CPU bomb.")
    ds = Dataset()
    try:
        ds.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError as exc:
        raise InputError(str(path), None, "input nested too deeply") from exc
    except Exception as exc:
        line = getattr(exc, "lineno", None)
        if line is None and hasattr(exc, "getLineNumber"):  # RDF/XML: SAXParseException
            line = exc.getLineNumber()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(str(path), line, f"cannot parse {fmt}: {reason}") from exc
    g = new_graph()
    g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


def parse_external(paths: Iterable[str], context: dict[str, Any] | None = None) -> Graph:
    """Parse and check every file; return their union, or raise before anything is merged.

    ``context`` is the natoeu JSON-LD context, the only one a JSON-LD file may reference by IRI.
    """
    files = expand(paths)
    seconds = env.seconds(TIMEOUT_ENV, DEFAULT_TIMEOUT)
    try:
        with _deadline(seconds) as end:
            return _parse_all(files, context or {}, end)
    except _Overtime:
        raise InputError(", ".join(map(str, files)), None,
                         f"parsing took longer than {seconds:g} s; refused",
                         hint=f"Split or shrink the input; if you trust it, raise "
                         f"{TIMEOUT_ENV} (seconds).") from None


def _parse_all(files: list[Path], context: dict[str, Any], end: float) -> Graph:
    total = 0
    merged = new_graph()
    for path in files:
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(str(path), None, f"unknown RDF format '{path.suffix}'",
                             hint=f"Use one of {', '.join(sorted(FORMATS))}.")
        size = path.stat().st_size
        total += size
        if size > MAX_FILE_BYTES or total > MAX_TOTAL_BYTES:
            raise InputError(str(path), None,
                             f"too large ({size} bytes; limits {MAX_FILE_BYTES} per file, "
                             f"{MAX_TOTAL_BYTES} in all)")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(str(path), None, "not UTF-8 text") from exc
        g = _jsonld(path, data, context) if fmt == "json-ld" else _rdf(path, data, fmt, end)
        if len(g) == 0:  # e.g. TriG read as a plain graph, or JSON-LD whose keys all dropped
            raise InputError(str(path), None, "no triples found in the file",
                             hint="Check the format (by suffix) and the content.")
        check_terms(g, str(path), text)
        merged += g
        if len(merged) > MAX_TRIPLES:
            raise InputError(str(path), None, f"more than {MAX_TRIPLES} triples in all")
    return merged
