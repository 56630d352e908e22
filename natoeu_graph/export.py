"""Deterministic serialisation: the same graph gives byte-identical output in every run."""

from __future__ import annotations

import json
from typing import Any

from rdflib import Dataset, Graph

from .build import Built
from .load import new_graph
from .namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES

FORMATS = ("ttl", "nt", "jsonld", "trig")


def _sorted_nt(g: Graph) -> bytes:
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


def _jsonld(g: Graph) -> bytes:
    context = {k: v for k, v in PREFIXES.items() if k != "sh"}
    doc = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    text = json.dumps(_sort_jsonld(doc), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def _trig(built: Built, inferred: bool) -> bytes:
    """Ontology, asserted data and entailments in separate named graphs."""
    parts = [(GRAPH_ONTOLOGY, built.ontology), (GRAPH_ASSERTED, built.asserted)]
    if inferred:
        parts.append((GRAPH_INFERRED, built.inferred))
    chunks = [f"@prefix {k}: <{v}> .\n" for k, v in sorted(PREFIXES.items())]
    for name, part in parts:
        body = part.serialize(format="turtle")
        body_lines = [line for line in body.splitlines() if not line.startswith("@prefix")]
        inner = "\n".join("    " + line if line else "" for line in body_lines).strip("\n")
        chunks.append(f"\n<{name}> {{\n{inner}\n}}\n")
    return "".join(chunks).encode("utf-8")


def combined(built: Built, inferred: bool) -> Graph:
    g = new_graph()
    parts = [built.ontology, built.asserted] + ([built.inferred] if inferred else [])
    for part in parts:
        g.addN((s, p, o, g) for s, p, o in part)
    return g


def serialize(built: Built, fmt: str, *, inferred: bool = False) -> bytes:
    """Serialise the graph (ontology + data, plus entailments if ``inferred``) as ``fmt``."""
    if fmt == "trig":
        return _trig(built, inferred)
    g = combined(built, inferred)
    if fmt == "nt":
        return _sorted_nt(g)
    if fmt == "jsonld":
        return _jsonld(g)
    if fmt == "ttl":
        return g.serialize(format="turtle").encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def parse_trig(data: bytes) -> Dataset:
    ds = Dataset()
    ds.parse(data=data, format="trig")
    return ds
