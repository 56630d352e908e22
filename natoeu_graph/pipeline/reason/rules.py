"""OWL RL materialised inside Oxigraph: the ontology's axioms compiled into SPARQL updates.

The ontology is small and fixed, the data large. So the T-box is closed once by the fast
reasoner (reasonable + chains on ~1,500 triples), and what it says about classes and properties
becomes the VALUES of a handful of instance-level OWL RL rules (cax-sco, prp-dom, prp-rng,
prp-spo1, prp-inv1/2, prp-symp, prp-trp, prp-spo2), run as SPARQL updates over an Oxigraph store
until nothing new appears. reasonable needs more than 14 GiB at 1M triples; this needs the store.
tests/pipeline/test_reasoning.py proves the result equal to the fast path's, triple for triple,
on the shipped graph and on generated data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection

from ...core.namespaces import new_graph
from ...core.oxterms import to_oxigraph, to_rdflib
from .fast import infer_fast
from .trivial import TRIVIAL_TYPES, is_trivial

_NEW = "urn:natoeu:rules:new"  # the graph each rule also writes to: the entailments


def _pairs(g: Graph, p: URIRef) -> list[tuple[URIRef, URIRef]]:
    return sorted((s, o) for s, o in g.subject_objects(p)
                  if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o)


def _values(rows: Iterable[tuple[URIRef, ...]]) -> str:
    return " ".join("(" + " ".join(t.n3() for t in row) + ")" for row in rows)


def compile_rules(tbox: Graph) -> list[str]:
    """SPARQL updates for the instance-level rules the closed T-box ``tbox`` calls for."""
    sub = [(c, d) for c, d in _pairs(tbox, RDFS.subClassOf) if d not in TRIVIAL_TYPES]
    subprop = _pairs(tbox, RDFS.subPropertyOf)
    inverse = _pairs(tbox, OWL.inverseOf)
    inverse = sorted(set(inverse) | {(q, p) for p, q in inverse})
    domain = [(p, c) for p, c in _pairs(tbox, RDFS.domain) if c not in TRIVIAL_TYPES]
    range_ = [(p, c) for p, c in _pairs(tbox, RDFS.range) if c not in TRIVIAL_TYPES]
    symmetric = sorted(p for p in tbox.subjects(RDF.type, OWL.SymmetricProperty)
                       if isinstance(p, URIRef))
    transitive = sorted(p for p in tbox.subjects(RDF.type, OWL.TransitiveProperty)
                        if isinstance(p, URIRef))

    def rule(head: str, body: str, values: str | None, names: str = "") -> str | None:
        """``values`` None: no VALUES block; empty: the T-box has nothing for this rule."""
        if values == "":
            return None
        table = f"VALUES ({names}) {{ {values} }} " if values is not None else ""
        return (f"INSERT {{ {head} GRAPH <{_NEW}> {{ {head} }} }} WHERE {{ "
                f"{table}{body} FILTER NOT EXISTS {{ {head} }} }}")

    rules = [
        rule("?x a ?d .", "?x a ?c .", _values(sub), "?c ?d"),                       # cax-sco
        rule("?x a ?c .", "?x ?p ?y .", _values(domain), "?p ?c"),                   # prp-dom
        rule("?y a ?c .", "?x ?p ?y . FILTER(!isLiteral(?y))", _values(range_),
             "?p ?c"),                                                               # prp-rng
        rule("?x ?q ?y .", "?x ?p ?y .", _values(subprop), "?p ?q"),                 # prp-spo1
        rule("?y ?q ?x .", "?x ?p ?y . FILTER(!isLiteral(?y))", _values(inverse),
             "?p ?q"),                                                               # prp-inv
        rule("?y ?p ?x .", "?x ?p ?y . FILTER(!isLiteral(?y))",
             _values((p,) for p in symmetric), "?p"),                                # prp-symp
        rule("?x ?p ?z .", "?x ?p ?y . ?y ?p ?z .",
             _values((p,) for p in transitive), "?p"),                               # prp-trp
    ]
    for prop, head in sorted(tbox.subject_objects(OWL.propertyChainAxiom)):   # prp-spo2
        steps = [s for s in Collection(tbox, head) if isinstance(s, URIRef)]
        if not isinstance(prop, URIRef) or len(steps) < 2:
            continue
        path = " . ".join(f"?v{i} {step.n3()} ?v{i + 1}" for i, step in enumerate(steps))
        rules.append(rule(f"?v0 {prop.n3()} ?v{len(steps)} .", path + " .", None))
    return [r for r in rules if r is not None]


# What compile_rules understands. Anything else in the ontology (restrictions, equivalences,
# keys, ...) sends infer_rules back to the fast path, which implements all of OWL RL.
_SUPPORTED_OWL = {OWL.inverseOf, OWL.propertyChainAxiom, OWL.versionIRI, OWL.versionInfo,
                  OWL.imports, OWL.disjointWith, OWL.sameAs}
_SUPPORTED_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                    OWL.Ontology, OWL.SymmetricProperty, OWL.TransitiveProperty,
                    OWL.FunctionalProperty, OWL.NamedIndividual, OWL.Thing, RDFS.Class,
                    RDF.Property, RDFS.Resource}
_SCHEMA = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}


def unsupported(tbox: Graph) -> str | None:
    """Why compile_rules cannot stand in for OWL RL on this T-box, or None."""
    for _s, p, o in tbox:
        if str(p).startswith(str(OWL)) and p not in _SUPPORTED_OWL:
            return f"{p.n3()} in the ontology"
        if p == RDF.type and str(o).startswith(str(OWL)) and o not in _SUPPORTED_TYPES:
            return f"a {o.n3()} in the ontology"
    return None


def _schema_in_data(asserted: Graph, ontology: Graph) -> bool:
    return any(t not in ontology for p in _SCHEMA | _SUPPORTED_OWL - {OWL.sameAs}
               for t in asserted.triples((None, p, None)))


def _functional_clash(store: Any, tbox: Graph) -> bool:
    """prp-fp would make two values of a functional property owl:sameAs: not compiled."""
    props = sorted(p for p in tbox.subjects(RDF.type, OWL.FunctionalProperty)
                   if isinstance(p, URIRef))
    if not props:
        return False
    return bool(store.query(f"ASK {{ VALUES ?p {{ {' '.join(p.n3() for p in props)} }} "
                            "?x ?p ?a , ?b . FILTER(?a != ?b) }"))


def close_tbox(ontology: Graph) -> Graph:
    """The ontology with its own entailments (reasonable + chains, tiny input), remembered per
    ontology: a data edit then costs no T-box reasoning."""
    from ...core.resources import cache_dir
    from ...core.termtable import TermTable, decode_table
    from .. import memo

    digest = memo.key(memo.code_digest(), memo.versions("reasonable", "rdflib"),
                      "\n".join(sorted(" ".join(t.n3() for t in triple) for triple in ontology)))
    closed = new_graph()
    closed += ontology
    hit = memo.load(cache_dir(), "tbox", digest)
    if isinstance(hit, dict):
        with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
            terms = decode_table(hit["terms"])
            closed.addN((terms[a], terms[b], terms[c], closed) for a, b, c in hit["triples"])
            return closed
    inferred = list(infer_fast(ontology))
    table = TermTable()
    memo.save(cache_dir(), "tbox", digest,
              {"triples": [table.ids(t) for t in inferred], "terms": table.table})
    closed.addN((s, p, o, closed) for s, p, o in inferred)
    return closed


def materialise(store: Any, rules: list[str], max_rounds: int = 50) -> int:
    """Apply ``rules`` to the default graph of ``store`` until a round adds nothing."""
    for rounds in range(1, max_rounds + 1):
        before = len(store)
        for text in rules:
            store.update(text)
        if len(store) == before:
            return rounds
    raise RuntimeError(f"rules did not reach a fixpoint in {max_rounds} rounds")


def entailments(store: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The non-trivial triples the rules added, as rdflib terms."""
    import pyoxigraph as ox

    for q in store.quads_for_pattern(None, None, None, ox.NamedNode(_NEW)):
        t = (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
        if not is_trivial(*t):
            yield t


def infer_in_store(store: Any, tbox: Graph, ontology: Graph) -> list[tuple[Any, Any, Any]] | None:
    """Materialise the rules over the default graph of ``store`` (ontology + data, no sameAs)
    and return the entailments, or None where the rules would not be complete."""
    import pyoxigraph as ox

    if unsupported(tbox):
        return None
    store.bulk_extend(ox.Quad(*map(to_oxigraph, t)) for t in tbox
                      if t not in ontology)  # T-box entailments feed the instance rules
    materialise(store, compile_rules(tbox))
    if _functional_clash(store, tbox):
        return None
    found = set(entailments(store))
    found.update(t for t in tbox if t not in ontology and not is_trivial(*t))
    return sorted(found)


def infer_rules(asserted: Graph, ontology: Graph | None = None) -> Graph:
    """What the fast path infers from ``asserted`` (ontology + data), computed in Oxigraph.

    ``ontology`` is the T-box to compile. Where the rules would not be complete (no ontology
    given, schema triples in the data, OWL constructs they do not compile, two values of a
    functional property) the fast path answers instead.
    """
    import pyoxigraph as ox

    if ontology is None or _schema_in_data(asserted, ontology):
        return infer_fast(asserted)  # the T-box is not (only) the ontology: no shortcut
    store = ox.Store()  # term by term: the entailments name the rdflib graph's blank nodes
    store.bulk_extend(ox.Quad(*map(to_oxigraph, t)) for t in asserted)
    found = infer_in_store(store, close_tbox(ontology), ontology)
    if found is None:
        return infer_fast(asserted)
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in found if (s, p, o) not in asserted)
    return out
