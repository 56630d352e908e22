"""Terms that no vocabulary defines: a typo in a predicate, a class or a datatype parses
silently in Turtle (W3C ORG itself shipped `rdfs:subClasOf`) and makes a fact no query finds.

A natoeu: term must be declared by the ontology (typed there, or rdfs:isDefinedBy it; hygiene
checks ask for both), or name a shape of the shapes file (sh:NodeShape, sh:PropertyShape). A
term in the namespace of a standard vocabulary the project uses (ORG, OWL-Time, PROV-O, SKOS,
DCMI terms, FOAF, RDF, RDFS, OWL, XSD, SHACL, VANN, DCAT, VoID) must be one of that vocabulary's
terms, as rdflib's closed namespaces list them. Each unknown term is reported with the lines
that write it and the nearest known terms. A library: it returns findings and never prints.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    SH,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
    DefinedNamespaceMeta,
)
from rdflib.term import Node

from ..core.namespaces import ONTOLOGY_IRI, TERMS_BASE
from .locate import Locator, short

VOCABULARIES: tuple[DefinedNamespaceMeta, ...] = (
    ORG, TIME, PROV, SKOS, DCTERMS, FOAF, RDF, RDFS, OWL, XSD, SH, VANN, DCAT, VOID)
_CONTAINER = re.compile(r"_[1-9][0-9]*")  # rdf:_1, rdf:_2 ...: container membership


@dataclass(frozen=True)
class UnknownTerm:
    term: URIRef
    name: str  # prefixed
    where: tuple[str, ...]  # "data/x.ttl:12" for each line that writes it
    used_by: str  # one subject that uses it, prefixed
    suggestions: tuple[str, ...]  # the nearest known terms, prefixed

    def message(self) -> str:
        what = ("not a term of the natoeu ontology" if str(self.term).startswith(TERMS_BASE)
                else "not a term of its vocabulary")
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"{self.name} is {what} (used by {self.used_by}){hint}"

    def line(self) -> str:
        """One line for a report: the first place, the message, the other places."""
        first = f"{self.where[0]}: " if self.where else ""
        more = (f" (also at {', '.join(self.where[1:4])}{' ...' if len(self.where) > 4 else ''})"
                if len(self.where) > 1 else "")
        return f"{first}{self.message()}{more}"


@cache
def _standard() -> dict[str, frozenset[str]]:
    """Namespace IRI -> the local names of its terms."""
    out = {}
    for ns in VOCABULARIES:
        names = set(getattr(ns, "__annotations__", {})) | set(getattr(ns, "_extras", ()))
        out[str(ns._NS)] = frozenset(n for n in names if not n.startswith("_"))
    return out


def _namespace(term: URIRef) -> tuple[str, str] | None:
    """(namespace, local name) if ``term`` is in a checked namespace."""
    text = str(term)
    if text.startswith(TERMS_BASE):
        return TERMS_BASE, text[len(TERMS_BASE):]
    for ns in _standard():
        if text.startswith(ns) and "/" not in text[len(ns):] and "#" not in text[len(ns):]:
            return ns, text[len(ns):]
    return None


def known_natoeu_terms(ontology: Graph, shapes: Graph | None = None) -> set[URIRef]:
    """The natoeu: terms the ontology declares (types, or says it defines) and the shapes."""
    terms = {s for s in ontology.subjects(RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI))
             if isinstance(s, URIRef)}
    terms |= {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    if shapes is not None:
        terms |= {s for kind in (SH.NodeShape, SH.PropertyShape)
                  for s in shapes.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    return terms


def _is_known(term: URIRef, natoeu: set[URIRef]) -> bool:
    found = _namespace(term)
    if found is None:
        return True
    ns, local = found
    if ns == TERMS_BASE:
        return term in natoeu
    return local in _standard()[ns] or (ns == str(RDF) and bool(_CONTAINER.fullmatch(local)))


def _suggest(term: URIRef, natoeu: set[URIRef]) -> tuple[str, ...]:
    """Up to three known terms whose names are nearest, those of the same namespace first."""
    found = _namespace(term)
    assert found is not None
    ns, local = found
    pool: dict[str, list[URIRef]] = {}
    for t in natoeu:
        pool.setdefault(str(t)[len(TERMS_BASE):], []).append(t)
    for other, names in _standard().items():
        for name in names:
            pool.setdefault(name, []).append(URIRef(other + name))
    near = difflib.get_close_matches(local, list(pool), n=6, cutoff=0.7)
    near += [n for n in difflib.get_close_matches(local.lower(), [p.lower() for p in pool],
                                                  n=3, cutoff=0.85)
             if n not in near and n in pool]
    ranked = sorted(((str(t).startswith(ns) is False, i, t) for i, n in enumerate(near)
                     for t in pool[n]), key=lambda r: (r[0], r[1], str(r[2])))
    out: list[str] = []
    for _, _, t in ranked:
        name = short(t)
        if name not in out:
            out.append(name)
    return tuple(out[:3])


def find_unknown(graphs: Iterable[Graph], ontology: Graph,
                 shapes: Graph | None = None) -> dict[URIRef, Node]:
    """Each IRI of a checked namespace in ``graphs`` that is not a known term, with the first
    subject found using it."""
    natoeu = known_natoeu_terms(ontology, shapes)
    users: dict[URIRef, Node] = {}
    for graph in graphs:
        for s, p, o in graph:
            terms = [t for t in (s, p, o) if isinstance(t, URIRef)]
            if isinstance(o, Literal) and o.datatype is not None:
                terms.append(o.datatype)
            for t in terms:
                if t not in users and str(t) != ONTOLOGY_IRI and not _is_known(t, natoeu):
                    users[t] = s
    return users


def describe(found: dict[URIRef, Node], ontology: Graph, locator: Locator,
             files: Iterable[str], shapes: Graph | None = None) -> list[UnknownTerm]:
    """find_unknown's terms with the lines of ``files`` (the project's files, relative to the
    locator's root) that write them, and the nearest known terms."""
    natoeu = known_natoeu_terms(ontology, shapes)
    files = list(files)
    out = []
    for term in sorted(found, key=str):
        where = [f"{file}:{n}" for file in files for n in locator.term_lines(file, term)]
        out.append(UnknownTerm(term, short(term), tuple(where), locator.name(found[term]),
                               _suggest(term, natoeu)))
    return out
