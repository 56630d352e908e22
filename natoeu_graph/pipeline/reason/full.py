"""OWL RL by owlrl, the reference engine: slow, complete for the rules it implements."""

from __future__ import annotations

from rdflib import Graph

from ...core.namespaces import new_graph
from .trivial import is_trivial


def infer(asserted: Graph) -> Graph:
    """Return only the non-trivial triples that OWL RL entails from ``asserted``."""
    import owlrl  # imported here: a warm query computes the cache key, never a closure

    closure = Graph()
    closure += asserted
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    inferred = new_graph()
    inferred.addN(
        (s, p, o, inferred)
        for s, p, o in closure
        if (s, p, o) not in asserted and not is_trivial(s, p, o)
    )
    return inferred
