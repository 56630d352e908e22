"""Human names for graph nodes: the English rdfs:label, else a prefixed name (CURIE)."""

from __future__ import annotations

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.term import Node


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
