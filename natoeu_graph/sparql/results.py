"""Format query results: text table, CSV, TSV, SPARQL 1.1 Query Results JSON, RDF."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

from ..core.namespaces import new_graph
from .oxformat import canonical_jsonld, canonical_nt

RESULT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def select_rows(result: Result) -> list[tuple[Any, ...]]:
    """The rows of a SELECT result as tuples (None for unbound)."""
    return [tuple(row) for row in cast(Iterable[Any], result)]


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
    return out


def to_json(result: Result) -> str:
    if result.type == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}, indent=2)
    names = [str(v) for v in result.vars or []]
    rows = [
        {name: _term_json(row[i]) for i, name in enumerate(names) if row[i] is not None}
        for row in select_rows(result)
    ]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}, indent=2,
                      ensure_ascii=False)


def _short(g: Graph, term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return g.namespace_manager.normalizeUri(term)
        except Exception:
            return str(term)
    return str(term)


def _cell_tsv(term: Any) -> str:
    if term is None:
        return ""
    return term.n3() if isinstance(term, (URIRef, BNode, Literal)) else str(term)


def to_table(result: Result) -> str:
    if result.type == "ASK":
        return "true" if result.askAnswer else "false"
    g = new_graph()
    names = [str(v) for v in result.vars or []]
    rows = [[_short(g, t).replace("\n", " ") for t in row] for row in select_rows(result)]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def to_csv(result: Result) -> str:
    if result.type == "ASK":  # rdflib's CSV writer has no form for it: Jena's, as the server's
        return f"_askResult\r\n{'true' if result.askAnswer else 'false'}\r\n"
    return (result.serialize(format="csv") or b"").decode("utf-8")


def to_tsv(result: Result) -> str:
    if result.type == "ASK":
        return f"?_askResult\n{'true' if result.askAnswer else 'false'}\n"
    names = [str(v) for v in result.vars or []]
    lines = ["\t".join("?" + n for n in names)]
    lines += ["\t".join(_cell_tsv(t) for t in row) for row in select_rows(result)]
    return "\n".join(lines) + "\n"


def format_result(result: Result, fmt: str) -> str:
    """Render a SELECT/ASK result (fmt in RESULT_FORMATS) or a graph result (GRAPH_FORMATS).

    N-Triples and JSON-LD come out in a fixed order (rdflib's follows its store's sets, which
    changed from run to run); Turtle is ordered by rdflib itself."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        assert graph is not None
        out = new_graph()
        out += graph
        text = out.serialize(format=GRAPH_FORMATS.get(fmt, "turtle"))
        if fmt == "nt":
            return canonical_nt(text)
        if fmt == "jsonld":
            return canonical_jsonld(json.loads(text))
        return text
    if fmt == "json":
        return to_json(result) + "\n"
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_tsv(result)
    return to_table(result) + "\n"
