"""Human names for graph nodes: the English rdfs:label, else a prefixed name (CURIE); and what
an open time span means, in words."""

from __future__ import annotations

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ..core.namespaces import NATOEU


def curie(g: Graph, node: Node) -> str:
    """``prefix:local`` where a prefix is bound, else the full IRI."""
    if not isinstance(node, URIRef):
        return str(node)
    try:
        return g.namespace_manager.normalizeUri(node).strip("<>")
    except Exception:  # rdflib refuses some local names; the IRI is still a fine name
        return str(node)


def label(g: Graph, node: Node) -> str:
    """The English label (else any label), else the CURIE. Sorted choice, so deterministic."""
    labels = sorted(o for o in g.objects(node, RDFS.label) if isinstance(o, Literal))
    english = [o for o in labels if o.language == "en"]
    chosen = english or labels
    return str(chosen[0]) if chosen else curie(g, node)


def open_end(g: Graph, interval: Node) -> str:
    """What a span without an end means: "ongoing, last verified DATE" or "end not known, last
    verified DATE"; never a bare "ongoing", which would present an unknown as a certainty."""
    status = g.value(interval, NATOEU.endStatus)
    seen = g.value(interval, NATOEU.lastVerified)
    when = f", last verified {seen}" if seen is not None else ""
    if status == NATOEU.Ongoing:
        return f"ongoing{when}"
    if status == NATOEU.EndUnknown:
        return f"end not known{when}"
    return "end not stated"
