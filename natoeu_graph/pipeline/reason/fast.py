"""OWL RL by the Rust reasoner reasonable, plus the property chains it lacks."""

from __future__ import annotations

from typing import Any

from rdflib import OWL, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection

from ...core.namespaces import new_graph
from .trivial import is_trivial


def _chains(g: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    out = []
    for prop, head in g.subject_objects(OWL.propertyChainAxiom):
        steps = [s for s in Collection(g, head) if isinstance(s, URIRef)]
        if isinstance(prop, URIRef) and len(steps) >= 2:
            out.append((prop, steps))
    return out


def _apply_chains(triples: set[tuple], chains: list[tuple[URIRef, list[URIRef]]]) -> set[tuple]:
    """OWL RL rule prp-spo2: x p1 y ... pn z gives x p z."""
    by_pred: dict[object, list[tuple]] = {}
    for s, p, o in triples:
        by_pred.setdefault(p, []).append((s, o))
    new: set[tuple] = set()
    for prop, steps in chains:
        pairs = by_pred.get(steps[0], [])
        for step in steps[1:]:
            nxt: dict[object, list[object]] = {}
            for s, o in by_pred.get(step, []):
                nxt.setdefault(s, []).append(o)
            pairs = [(x, z) for x, y in pairs for z in nxt.get(y, [])]
        new |= {(x, prop, z) for x, z in pairs}
    return new - triples


def infer_fast(asserted: Graph) -> Graph:
    """OWL RL with the Rust reasoner ``reasonable``, plus property chains, which it lacks.

    reasonable and the chain rule run in turn until nothing new appears. Its literals come back
    typed xsd:string where the input had plain ones; they are mapped back to the input's terms.
    tests/pipeline/test_reasoning.py checks that every canned query and check gets owlrl's answers.
    """
    import reasonable

    plain = {(str(t), XSD.string): t for t in asserted.objects()
             if isinstance(t, Literal) and t.datatype is None and t.language is None}

    def norm(term: Any) -> Any:
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return plain.get((str(term), XSD.string), Literal(str(term)))
        return term

    chains = _chains(asserted)
    current: set[tuple[Any, ...]] = {tuple(t) for t in asserted}
    while True:
        reasoner = reasonable.PyReasoner()
        # a plain list, not a second rdflib Graph: at 1M triples a Graph costs ~1 GB
        reasoner.from_graph(list(current))
        closure: set[tuple[Any, ...]] = current | {
            (norm(s), norm(p), norm(o)) for s, p, o in reasoner.reason()}
        added = _apply_chains(closure, chains)
        if not added:
            break
        current = closure | added
    inferred = new_graph()
    inferred.addN((s, p, o, inferred) for s, p, o in closure
                  if (s, p, o) not in asserted and not is_trivial(s, p, o))
    return inferred
