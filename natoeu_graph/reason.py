"""OWL RL reasoning with owlrl; the entailments are kept apart and stripped of trivia."""

from __future__ import annotations

import owlrl
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

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
