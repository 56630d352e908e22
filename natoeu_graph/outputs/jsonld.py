"""JSON-LD output done with pyld: compact and framed documents, no remote loads.

The context itself lives in core.context (parsing external JSON-LD needs it too).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyld import jsonld
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from ..core.context import offline_loader
from ..core.errors import UsageError
from .walk import walk


def _dataset(nquads: list[str]) -> dict[str, list[dict[str, Any]]]:
    """pyld's RDF dataset of N-Quads lines, parsed a line at a time by pyld's own parser.

    Whole, pyld's parser checks each triple against every earlier one for duplicates: quadratic,
    27 s of a 30 s JSON-LD export. A set of keys does that check here in linear time.
    """
    dataset: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
    for line in nquads:
        for name, triples in jsonld.JsonLdProcessor.parse_nquads(line).items():
            for triple in triples:
                key = (name, tuple((k, tuple(sorted(v.items()))) for k, v in
                                   sorted(triple.items())))
                if key not in seen:
                    seen.add(key)
                    dataset.setdefault(name, []).append(triple)
    return dataset


def _expanded(graph: Graph) -> list[dict[str, Any]]:
    # sorted: rdflib's order follows string hashes, and pyld embeds the node it meets first
    nquads = sorted(graph.serialize(format="nt").splitlines(keepends=True))
    return list(jsonld.from_rdf(_dataset(nquads), {}))


def compact(graph: Graph, context: dict[str, Any]) -> dict[str, Any]:
    """Compact JSON-LD of ``graph`` using the project context (embedded, so it is offline)."""
    doc = jsonld.compact(_expanded(graph), context,
                         {"documentLoader": offline_loader(context), "graph": True})
    return dict(doc)


def frame(graph: Graph, context: dict[str, Any], frame_doc: dict[str, Any]) -> dict[str, Any]:
    """Frame ``graph`` (e.g. a declaration with its signatures embedded) with pyld."""
    f = {**frame_doc, "@context": context["@context"]}
    doc = jsonld.frame(_expanded(graph), f, {"documentLoader": offline_loader(context),
                                             "omitGraph": False})
    return dict(doc)


def to_graph(doc: dict[str, Any], context: dict[str, Any]) -> Graph:
    """Parse JSON-LD with pyld (an implementation independent of rdflib's parser)."""
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads",
                                 "documentLoader": offline_loader(context)})
    g = Graph()
    g.parse(data=nquads, format="nquads")
    return g


def frames_dir(ontology_dir: Path) -> Path:
    return ontology_dir / "frames"


def load_frame(ontology_dir: Path, name: str) -> dict[str, Any]:
    path = frames_dir(ontology_dir) / f"{name}.frame.jsonld"
    if not path.is_file():
        known = sorted(p.name.split(".")[0] for p in frames_dir(ontology_dir).glob("*.jsonld"))
        raise UsageError(f"unknown frame '{name}'", hint=f"Known frames: {', '.join(known)}.")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _embeddable(predicate: Node, obj: Node) -> bool:
    """What a frame can embed: every object except the classes named by ``rdf:type``."""
    return not isinstance(obj, URIRef) or predicate != RDF.type


def reachable(graph: Graph, roots: list[Any]) -> Graph:
    """The triples of ``roots`` and of every node reachable from them: what a frame embeds."""
    out = Graph()
    for triple in walk(graph, *roots, follow=_embeddable):
        out.add(triple)
    return out
