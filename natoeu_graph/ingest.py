"""External RDF merged for one call (`--with`), under the untrusted-input rules of
security.md section 5.2: size caps, no remote or file JSON-LD contexts, no DTDs in RDF/XML,
IRIs and datatypes checked, and nothing merged unless every file is good.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from .errors import InputError
from .load import check_terms, new_graph, parse_turtle

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_TRIPLES = 500_000
MAX_LITERAL_LINES = 2_000  # rdflib's parsers are quadratic in line breaks inside one literal

FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads",
           ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
           ".xml": "xml"}
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def expand(paths: Iterable[str]) -> list[Path]:
    """Files named directly, and the RDF files (by suffix) inside named directories."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() in FORMATS)
        elif p.is_file():
            out.append(p)
        else:
            raise InputError(raw, None, "no such file or directory")
    return out


def _jsonld(path: Path, data: bytes, context: dict[str, Any]) -> Graph:
    from pyld import jsonld

    from .jsonld import offline_loader

    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from exc
    except RecursionError as exc:
        raise InputError(str(path), None, "JSON nested too deeply") from exc
    try:
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads",
                                     "documentLoader": offline_loader(context)})
    except RecursionError as exc:
        raise InputError(str(path), None, "JSON-LD nested too deeply") from exc
    except (jsonld.JsonLdError, ValueError, TypeError) as exc:  # pyld raises all three
        cause: BaseException = exc
        while getattr(cause, "cause", None) is not None:
            cause = cause.cause  # type: ignore[attr-defined]
        raise InputError(
            str(path), None, f"JSON-LD refused: {cause}",
            hint="Contexts must be inline: natoeu never loads a remote or local @context.",
        ) from exc
    g = Graph()
    g.parse(data=nquads, format="nquads")
    return g


def _rdf(path: Path, data: bytes, fmt: str) -> Graph:
    if fmt == "turtle":
        return parse_turtle(path)
    if fmt == "xml" and _DTD.search(data):
        raise InputError(str(path), None, "RDF/XML with a DTD or entity declaration refused",
                         hint="Remove the <!DOCTYPE>/<!ENTITY>; entity expansion is a CPU bomb.")
    text = data.decode("utf-8")
    ds = Dataset()
    try:
        ds.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except RecursionError as exc:
        raise InputError(str(path), None, "input nested too deeply") from exc
    except Exception as exc:
        line = getattr(exc, "lines", None)
        line = line + 1 if isinstance(line, int) else getattr(exc, "lineno", None)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(str(path), line, f"cannot parse {fmt}: {reason}") from exc
    g = new_graph()
    g.addN((s, p, o, g) for s, p, o, _ in ds.quads((None, None, None, None)))
    return g


def load_external(paths: Iterable[str], context: dict[str, Any] | None = None) -> Graph:
    """Parse and check every file; return their union, or raise before anything is merged.

    ``context`` is the natoeu JSON-LD context, the only one a JSON-LD file may reference by IRI.
    """
    files = expand(paths)
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
        if any(chunk.count(b"\n") > MAX_LITERAL_LINES for chunk in data.split(b'"""')[1::2]):
            raise InputError(str(path), None,
                             f"a literal spans more than {MAX_LITERAL_LINES} lines")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(str(path), None, "not UTF-8 text") from exc
        g = _jsonld(path, data, context or {}) if fmt == "json-ld" else _rdf(path, data, fmt)
        check_terms(g, str(path), text)
        merged += g
        if len(merged) > MAX_TRIPLES:
            raise InputError(str(path), None, f"more than {MAX_TRIPLES} triples in all")
    return merged
