"""OWL RL reasoning with owlrl; the entailments are kept apart and stripped of trivia."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection

import owlrl
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from .errors import ReasoningBudgetError
from .load import new_graph
from .namespaces import PREFIXES

# Triples about these vocabularies' own terms are axiomatic noise once inferred.
_FOREIGN_VOCABS = tuple(
    iri for prefix, iri in PREFIXES.items() if prefix not in {"natoeu", "ne", "wd", "dbr"}
)
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDF.Property, OWL.NamedIndividual}
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf,
              OWL.equivalentProperty}


def is_trivial(s: object, p: object, o: object) -> bool:
    """True for an entailment that tells a user nothing (reflexive, axiomatic, about W3C terms)."""
    if isinstance(s, Literal):
        return True
    if p in _REFLEXIVE and s == o:
        return True
    if p == RDF.type and o in _TRIVIAL_TYPES:
        return True
    if p == RDFS.subClassOf and o == OWL.Thing:
        return True
    return isinstance(s, URIRef) and str(s).startswith(_FOREIGN_VOCABS)


def infer(asserted: Graph) -> Graph:
    """Return only the non-trivial triples that OWL RL entails from ``asserted``."""
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


BUDGET_ENV = "NATOEU_REASONING_TIMEOUT"
DEFAULT_TIMEOUT = 600.0
MAX_INPUT_TRIPLES = 200_000


def _child(asserted: Graph, conn: Connection) -> None:
    conn.send([tuple(t) for t in infer(asserted)])
    conn.close()


def infer_within_budget(asserted: Graph, timeout: float | None = None,
                        max_triples: int = MAX_INPUT_TRIPLES) -> Graph:
    """``infer`` in a forked worker that is killed at the deadline.

    owlrl cannot be interrupted from inside the process, and some inputs make it run for
    minutes (a 100-node owl:sameAs chain took 95 s: security.md 2.8), so the budget is enforced
    by killing the worker.
    """
    if len(asserted) > max_triples:
        raise ReasoningBudgetError(
            f"reasoning refused: {len(asserted)} input triples exceed the budget of {max_triples}",
            hint="Reason over a smaller graph, or use a triplestore backend.")
    limit = timeout if timeout is not None else float(os.environ.get(BUDGET_ENV, DEFAULT_TIMEOUT))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(asserted, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limit):
            raise ReasoningBudgetError(
                f"reasoning stopped after {limit:g} s (budget exceeded)",
                hint=f"The input makes OWL RL explode; raise {BUDGET_ENV} only if you trust it.")
        triples = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in triples)
    return out
