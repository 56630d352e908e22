"""Serialise query results with the row and byte caps applied; truncation is reported.

Runs inside a worker. SELECT rows are taken lazily up to the cap, so a cartesian product
without LIMIT costs ``max_rows`` rows, not all of them.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

from ..core.namespaces import new_graph
from ..sparql.results import _cell_tsv, _term_json
from .protocol import RDFLIB_FORMAT

Row = tuple[Any, ...]
# characters outside XML 1.0's Char production: no escape can carry them in an XML document
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_unsafe(body: bytes) -> str | None:
    """The first character of ``body`` (UTF-8) that XML 1.0 cannot carry, as U+XXXX, or None."""
    m = _NOT_XML.search(body.decode("utf-8", "replace"))
    return f"U+{ord(m.group()):04X}" if m else None


def take_rows(result: Result, limit: int) -> tuple[list[str], list[Row], bool]:
    """Variables, at most ``limit`` rows, and whether there were more."""
    names = [str(v) for v in result.vars or []]
    # rdflib materialises every row on first access to .bindings; its generator does not
    source: Iterable[Any] = getattr(result, "_genbindings", None) or result.bindings
    variables = list(result.vars or [])
    rows = [tuple(b.get(v) for v in variables)
            for b in itertools.islice(source, limit + 1)]
    return names, rows[:limit], len(rows) > limit


def _json(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    bindings = [{n: _term_json(r[i]) for i, n in enumerate(names) if r[i] is not None}
                for r in rows]
    return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def _xml_term(term: Any) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    attrs = ""
    if isinstance(term, Literal) and term.language:
        attrs = f" xml:lang={quoteattr(term.language)}"
    elif isinstance(term, Literal) and term.datatype:
        attrs = f" datatype={quoteattr(str(term.datatype))}"
    return f"<literal{attrs}>{escape(str(term))}</literal>"


_XML_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
             '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')


def _xml(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = [_XML_HEAD, "<head>"]
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head>\n<results>\n")
    for r in rows:
        cells = "".join(f"<binding name={quoteattr(n)}>{_xml_term(r[i])}</binding>"
                        for i, n in enumerate(names) if r[i] is not None)
        out.append(f"<result>{cells}</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _csv(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")  # RFC 4180, as the SPARQL CSV spec asks
    w.writerow(names)
    w.writerows([("" if t is None else str(t)) for t in r] for r in rows)
    return buf.getvalue().encode()


def _tsv(names: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join("?" + n for n in names)]
    lines += ["\t".join(_cell_tsv(t) for t in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


ROW_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}


def ask(answer: bool, fmt: str) -> bytes:
    if fmt == "xml":
        return (_XML_HEAD + f"<head/>\n<boolean>{'true' if answer else 'false'}</boolean>\n"
                "</sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return f"{'_askResult' if fmt == 'csv' else '?_askResult'}\n{str(answer).lower()}\n" \
            .encode()
    return json.dumps({"head": {}, "boolean": answer}).encode()


def rows(names: Sequence[str], data: Sequence[Row], fmt: str, max_bytes: int) \
        -> tuple[bytes, int]:
    """The body and the number of rows in it: halved until it fits ``max_bytes``."""
    write = ROW_WRITERS[fmt]
    n = len(data)
    body = write(names, data)
    while len(body) > max_bytes and n > 0:
        n //= 2
        body = write(names, data[:n])
    return body, n


def graph(triples: Sequence[tuple[Any, Any, Any]], fmt: str, max_bytes: int) \
        -> tuple[bytes, int]:
    """The triples serialised, with the project's prefixes; halved until it fits."""
    n = len(triples)
    while True:
        g = new_graph()
        for t in triples[:n]:
            g.add(t)
        body = g.serialize(format=RDFLIB_FORMAT[fmt]).encode()
        if len(body) <= max_bytes or n == 0:
            return body, n
        n //= 2


def graph_of(g: Graph, fmt: str) -> bytes:
    return g.serialize(format=RDFLIB_FORMAT[fmt]).encode()
