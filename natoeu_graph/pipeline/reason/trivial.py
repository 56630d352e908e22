"""Which entailments are trivia: reflexive, axiomatic, or about the W3C vocabularies' own terms.

Every engine strips them, so that the inferred graph holds only what tells a user something.
"""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Literal, URIRef

from ...core.namespaces import PREFIXES

# Triples about these vocabularies' own terms are axiomatic noise once inferred.
_FOREIGN_VOCABS = tuple(
    iri for prefix, iri in PREFIXES.items() if prefix not in {"natoeu", "ne", "wd", "dbr"}
)
TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource, RDF.Property, OWL.NamedIndividual}
_REFLEXIVE = {OWL.sameAs, RDFS.subClassOf, OWL.equivalentClass, RDFS.subPropertyOf,
              OWL.equivalentProperty}


def is_trivial(s: object, p: object, o: object) -> bool:
    """True for an entailment that tells a user nothing (reflexive, axiomatic, about W3C terms)."""
    if isinstance(s, Literal):
        return True
    if p in _REFLEXIVE and s == o:
        return True
    if p == RDF.type and o in TRIVIAL_TYPES:
        return True
    if p == RDFS.subClassOf and o == OWL.Thing:
        return True
    return isinstance(s, URIRef) and str(s).startswith(_FOREIGN_VOCABS)
