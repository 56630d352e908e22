"""OWL RL reasoning: owlrl (the reference) or reasonable + property chains (fast); the entailments
are kept apart and stripped of trivia."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.collection import Collection

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


BUDGET_ENV = "NATOEU_REASONING_TIMEOUT"
DEFAULT_TIMEOUT = 600.0
MAX_INPUT_TRIPLES = 200_000  # owlrl: 150 s at 100k, superlinear
# reasonable's memory grows faster than its input: 0.5 GiB at 100k, 3.5 GiB at 300k, killed
# above 14 GiB at 1M (benchmarks, 2026-11-25); refuse with a message rather than be OOM-killed
MAX_INPUT_TRIPLES_FAST = 300_000


ENGINE_ENV = "NATOEU_REASONER"


ENGINES = ("rules", "fast", "owlrl")
# the rules run inside Oxigraph: 3.5 s and no blow-up at 100k where reasonable takes 23 s
MAX_INPUT_TRIPLES_RULES = 5_000_000


def engine_name() -> str:
    """The reasoner in use: $NATOEU_REASONER (rules, fast or owlrl), else the first installed.

    rules (the ontology compiled into SPARQL updates run in Oxigraph, natoeu_graph.rules) and
    fast (reasonable + property chains) are defaults only because tests/test_reasoning.py proves
    that they give owlrl's answers to every canned query and check, and the same triples as each
    other; owlrl stays the reference.
    """
    chosen = os.environ.get(ENGINE_ENV)
    if chosen in ENGINES:
        return chosen
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return "owlrl"
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return "fast"
    return "rules"


def _child(asserted: Graph, ontology: Graph | None, engine: str, conn: Connection) -> None:
    if engine == "rules":
        from .rules import infer_rules

        result = infer_rules(asserted, ontology)
    else:
        result = infer_fast(asserted) if engine == "fast" else infer(asserted)
    conn.send([tuple(t) for t in result])
    conn.close()


def infer_within_budget(asserted: Graph, timeout: float | None = None,
                        max_triples: int | None = None,
                        engine: str | None = None, ontology: Graph | None = None) -> Graph:
    """Reason with ``engine`` in a forked worker that is killed at the deadline.

    ``ontology`` (the T-box part of ``asserted``) lets the rules engine compile it.

    owlrl cannot be interrupted from inside the process, and some inputs make it run for
    minutes (a 100-node owl:sameAs chain took 95 s: security.md 2.8), so the budget is enforced
    by killing the worker.
    """
    engine = engine or engine_name()
    if max_triples is None:
        max_triples = {"fast": MAX_INPUT_TRIPLES_FAST, "rules": MAX_INPUT_TRIPLES_RULES}.get(
            engine, MAX_INPUT_TRIPLES)
    if len(asserted) > max_triples:
        raise ReasoningBudgetError(
            f"reasoning refused: {len(asserted)} input triples exceed the {engine} reasoner's "
            f"budget of {max_triples}",
            hint="Reason over a smaller graph, or load it into a triplestore with its own "
            "reasoner (README: Other stores).")
    limit = timeout if timeout is not None else float(os.environ.get(BUDGET_ENV, DEFAULT_TIMEOUT))
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(asserted, ontology, engine, child), daemon=True)
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
    tests/test_reasoning.py checks that every canned query and check gets owlrl's answers.
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
