"""Deterministic serialisation: the same graph gives byte-identical output in every run."""

from __future__ import annotations

import json
from typing import Any

from rdflib import RDF, Dataset, Graph, URIRef

from ..core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES, new_graph
from ..pipeline import memo
from ..pipeline.build import Built, cache_dir
from . import jsonld

FORMATS = ("ttl", "nt", "jsonld", "trig", "nquads")


def sorted_nt(g: Graph) -> bytes:
    lines = sorted(line for line in g.serialize(format="nt").splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sort_jsonld(value: Any) -> Any:
    """Order node objects and value arrays (their order carries no meaning outside @list)."""
    if isinstance(value, dict):
        return {k: (_sort_jsonld(v) if k != "@list" else [_sort_jsonld(x) for x in v])
                for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def json_bytes(doc: Any) -> bytes:
    """Canonical JSON text: sorted keys and sorted value arrays, so output is deterministic."""
    text = json.dumps(_sort_jsonld(doc), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _nquads(built: Built, inferred: bool) -> bytes:
    ds = Dataset()
    parts = [(GRAPH_ONTOLOGY, built.ontology), (GRAPH_ASSERTED, built.asserted)]
    if inferred:
        parts.append((GRAPH_INFERRED, built.inferred))
    for name, part in parts:
        target = ds.graph(name)
        target.addN((s, p, o, target) for s, p, o in part)
    lines = sorted(line for line in ds.serialize(format="nquads").splitlines() if line.strip())
    return ("\n".join(lines) + "\n").encode("utf-8")


def _trig(built: Built, inferred: bool) -> bytes:
    """Ontology, asserted data and entailments in separate named graphs.

    Each graph holds its triples as sorted N-Triples lines: a blank node keeps one label in the
    whole document, so an entailment about an interval points at the same interval as the
    asserted data (Turtle's [ ... ] shorthand, written graph by graph, gave it a new node).
    """
    parts = [(GRAPH_ONTOLOGY, built.ontology), (GRAPH_ASSERTED, built.asserted)]
    if inferred:
        parts.append((GRAPH_INFERRED, built.inferred))
    chunks = []
    for name, part in parts:
        lines = sorted_nt(part).decode("utf-8").splitlines()
        chunks.append(f"<{name}> {{\n" + "".join(f"    {line}\n" for line in lines) + "}\n")
    return "\n".join(chunks).encode("utf-8")


def combined(built: Built, inferred: bool) -> Graph:
    g = new_graph()
    parts = [built.ontology, built.asserted] + ([built.inferred] if inferred else [])
    for part in parts:
        g.addN((s, p, o, g) for s, p, o in part)
    return g


def serialize(built: Built, fmt: str, *, inferred: bool = False,
              context: dict[str, Any] | None = None, remember: bool = False) -> bytes:
    """Serialise the graph (ontology + data, plus entailments if ``inferred``) as ``fmt``.

    JSON-LD is compacted by pyld with ``context`` (the published natoeu context). With
    ``remember``, a graph read from the cache (its key hashes every input, the code and the
    library versions; never one with --with data) is serialised once per format: the bytes are
    kept beside the graph cache and reused.
    """
    if remember and built.from_cache:
        digest = memo.key(built.key, fmt, str(inferred), memo.versions("pyld"),
                          json.dumps(context, sort_keys=True))
        kind = f"export-{fmt}" + ("-inferred" if inferred else "")
        return memo.remembered_bytes(cache_dir(), kind, digest,
                                     lambda: serialize(built, fmt, inferred=inferred,
                                                       context=context))
    if fmt == "trig":
        return _trig(built, inferred)
    if fmt == "nquads":
        return _nquads(built, inferred)
    g = combined(built, inferred)
    if fmt == "nt":
        return sorted_nt(g)
    if fmt == "jsonld":
        if context is None:
            raise ValueError("JSON-LD export needs the natoeu context")
        return json_bytes(jsonld.compact(g, context))
    if fmt == "ttl":
        return g.serialize(format="turtle").encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def parse_trig(data: bytes) -> Dataset:
    ds = Dataset()
    ds.parse(data=data, format="trig")
    return ds


def framed(built: Built, context: dict[str, Any], frame_doc: dict[str, Any]) -> bytes:
    """The asserted data framed by ``frame_doc`` (e.g. declarations with signatures embedded)."""
    return json_bytes(jsonld.frame(built.asserted, context, frame_doc))


def framed_source(built: Built, context: dict[str, Any], frame_doc: dict[str, Any]) -> Graph:
    """The part of the asserted data that a frame covers: its matches and what they reach."""
    types = frame_doc.get("@type", [])
    terms = context["@context"]
    roots: list[Any] = []
    for t in types if isinstance(types, list) else [types]:
        prefix, _, local = str(terms[t]).partition(":")
        roots += built.asserted.subjects(RDF.type, URIRef(PREFIXES[prefix] + local))
    return jsonld.reachable(built.asserted, roots)
