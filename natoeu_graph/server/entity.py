"""What the server says about one IRI: its RDF description and a view of it for people.

The RDF description is the symmetric concise bounded description: every triple with the IRI as
subject or object, plus the blank nodes (time intervals and instants) reachable from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, SKOS

from ..core.namespaces import INSTANCES_BASE, NATOEU, ORG, TERMS_BASE, TIME, new_graph
from ..outputs.labels import curie, label, open_end
from ..outputs.walk import blank_nodes, walk
from ..pipeline.build import Built

SCHEMA_URL = URIRef("https://schema.org/url")
_HIDDEN = {RDF.type, RDFS.label, PROV.wasDerivedFrom, OWL.sameAs}
_NOISE_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual}
EXTERNAL = {"http://www.wikidata.org/entity/": "Wikidata",
            "http://dbpedia.org/resource/": "DBpedia"}


def description(g: Graph, iri: URIRef) -> Graph:
    out = new_graph()
    for triple in walk(g, iri, follow=blank_nodes):
        out.add(triple)
    for s, p in g.subject_predicates(iri):
        out.add((s, p, iri))
    return out


def local_href(node: Any) -> str | None:
    """The server path for one of our IRIs, else None."""
    text = str(node)
    if isinstance(node, URIRef) and text.startswith(INSTANCES_BASE):
        return "/id/" + text[len(INSTANCES_BASE):]
    if isinstance(node, URIRef) and text.startswith(TERMS_BASE):
        return "/ontology#" + text[len(TERMS_BASE):]
    return None


@dataclass
class Ref:
    text: str
    href: str | None = None
    external: bool = False
    note: str = ""
    title: str = ""
    nested: list[Fact] = field(default_factory=list)

    def __post_init__(self) -> None:
        # only web IRIs become links: <javascript:...>, <data:...>, <file:...> stay text
        if self.external and self.href is not None and \
                not self.href.lower().startswith(("http://", "https://")):
            self.href = None
            self.external = False


@dataclass
class Fact:
    prop: Ref
    values: list[Ref]
    sources: list[Ref] = field(default_factory=list)
    inferred: bool = False
    copy_of: list[Ref] = field(default_factory=list)  # narrower properties with these values


@dataclass
class EntityView:
    iri: str
    title: str
    types: list[Ref]
    definition: str
    facts: list[Fact]
    related: list[Fact]
    sources: list[Ref]
    same_as: list[Ref]
    # entailed repeats of facts above under a broader property (signature and
    # prov:qualifiedAttribution): shown on demand only
    folded: list[Fact] = field(default_factory=list)
    folded_related: list[Fact] = field(default_factory=list)


def _date(g: Graph, instant: Any) -> str:
    for p in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
        for o in g.objects(instant, p):
            return str(o)
    return "?"


def _interval_words(g: Graph, interval: Any) -> str:
    begin = [_date(g, b) for b in g.objects(interval, TIME.hasBeginning)]
    end = [_date(g, e) for e in g.objects(interval, TIME.hasEnd)]
    words = f"from {begin[0]}" if begin else "from an unknown date"
    return words + (f" to {end[0]}" if end else f" ({open_end(g, interval)})")


def ref(g: Graph, node: Any, depth: int = 0) -> Ref:
    """A link (ours), an external link, a literal, or an inline blank node."""
    if isinstance(node, Literal):
        note = f"@{node.language}" if node.language else ""
        return Ref(str(node), note="" if note == "@en" else note)
    if isinstance(node, BNode):
        if (node, RDF.type, TIME.Interval) in g or (node, TIME.hasBeginning, None) in g:
            return Ref(_interval_words(g, node))
        if depth > 1:
            return Ref("…")
        return Ref("", nested=_facts(g, node, depth + 1))
    href = local_href(node)
    if href:
        return Ref(label(g, node), href=href, title=str(node))
    for base, site in EXTERNAL.items():
        if str(node).startswith(base):
            return Ref(f"{site} {str(node)[len(base):]}", href=str(node), external=True)
    return Ref(curie(g, node), href=str(node), external=True, title=str(node))


def _sources(g: Graph, node: Any) -> list[Ref]:
    return [ref(g, s) for s in sorted(g.objects(node, PROV.wasDerivedFrom), key=str)]


def _facts(g: Graph, node: Any, depth: int = 0, asserted: Graph | None = None) -> list[Fact]:
    """The node's facts by property; with ``asserted``, asserted ones first, then entailed."""
    by_prop: dict[Any, list[Any]] = {}
    for p, o in g.predicate_objects(node):
        if p not in _HIDDEN:
            by_prop.setdefault(p, []).append(o)
    facts = []
    for p in sorted(by_prop, key=lambda x: label(g, x).lower()):
        values = sorted(by_prop[p], key=lambda o: (label(g, o) if isinstance(o, URIRef)
                                                    else str(o)))
        inferred = asserted is not None and all((node, p, o) not in asserted for o in values)
        fact = Fact(ref(g, p), [ref(g, o, depth) for o in values], inferred=inferred)
        if inferred and asserted is not None:
            fact.copy_of = [ref(g, q) for q in _narrower_with(g, node, p, values)]
        facts.append(fact)
    return sorted(facts, key=lambda f: f.inferred)  # stable: label order within each kind


def _narrower_with(g: Graph, node: Any, p: Any, values: list[Any],
                   inverse: bool = False) -> list[Any]:
    """The strictly narrower properties of ``p`` that give ``node`` every one of ``values``:
    then ``p``'s values are entailed copies (rdfs:subPropertyOf); else none."""
    def triple(q: Any, o: Any) -> tuple[Any, Any, Any]:
        return (o, q, node) if inverse else (node, q, o)

    broader = set(g.transitive_objects(p, RDFS.subPropertyOf))  # p itself and above
    narrower = [q for q in g.transitive_subjects(RDFS.subPropertyOf, p) if q not in broader]
    covering: set[Any] = set()
    for o in values:
        found = {q for q in narrower if triple(q, o) in g}
        if not found:
            return []
        covering |= found
    return sorted(covering, key=lambda q: label(g, q).lower())


def _related_date(g: Graph, node: Any) -> str:
    """When a related item happened or began (ISO text, so it sorts), else ""."""
    dates = sorted(str(o) for o in g.objects(node, DCTERMS.date))
    if dates:
        return dates[0]
    begins = sorted(day for p in (NATOEU.during, ORG.memberDuring)
                    for interval in g.objects(node, p)
                    for begin in g.objects(interval, TIME.hasBeginning)
                    if (day := _date(g, begin)) != "?")
    return begins[0] if begins else ""


def _membership_words(g: Graph, m: Any) -> str | None:
    member = next(iter(g.objects(m, ORG.member)), None)
    org = next(iter(g.objects(m, ORG.organization)), None)
    during = next(iter(g.objects(m, ORG.memberDuring)), None)
    if member is None or org is None:
        return None
    when = f", {_interval_words(g, during)}" if during is not None else ""
    return f"{label(g, member)} is a member of {label(g, org)}{when}"


def view(built: Built, iri: URIRef, asserted: Graph | None = None) -> EntityView | None:
    """The page model for ``iri``, or None when the graph says nothing about it. ``asserted``:
    the ontology and asserted data as one graph, if the caller keeps one (else made here)."""
    g = built.merged()
    if (iri, None, None) not in g and (None, None, iri) not in g:
        return None
    types = sorted({t for t in g.objects(iri, RDF.type) if t not in _NOISE_TYPES},
                   key=lambda t: (not str(t).startswith(TERMS_BASE), label(g, t)))
    definition = next((str(o) for p in (SKOS.definition, DCTERMS.description, RDFS.comment)
                       for o in g.objects(iri, p)), "")
    if asserted is None:
        asserted = built.asserted + built.ontology
    related: dict[Any, list[tuple[str, str, Any]]] = {}
    for s, p in g.subject_predicates(iri):
        if p in (PROV.wasDerivedFrom, RDFS.isDefinedBy) or not isinstance(s, URIRef):
            continue
        related.setdefault(p, []).append((_related_date(g, s), label(g, s).lower(), s))
    related_facts: list[Fact] = []
    folded_related: list[Fact] = []
    for p in sorted(related, key=lambda q: label(g, q)):
        items = sorted(set(related[p]), key=lambda x: (x[0] == "", x[0], x[1], str(x[2])))
        refs, sources = [], []
        for day, _, s in items:  # by date, undated last
            r = ref(g, s)
            words = _membership_words(g, s) if (s, RDF.type, ORG.Membership) in g else None
            r.note = words or day
            refs.append(r)
            sources.extend(_sources(g, s)[:3])
        fact = Fact(ref(g, p), refs, sources=_unique(sources))
        subjects = [s for *_, s in items]
        if all((s, p, iri) not in asserted for s in subjects):
            fact.inferred = True
            fact.copy_of = [ref(g, q) for q in _narrower_with(g, iri, p, subjects, inverse=True)]
        (folded_related if fact.copy_of else related_facts).append(fact)
    facts = [f for f in _facts(g, iri, asserted=asserted)
             if f.prop.title not in (str(FOAF.page), str(SCHEMA_URL))]
    pages = [ref(g, o) for p in (FOAF.page, SCHEMA_URL) for o in g.objects(iri, p)]
    return EntityView(
        iri=str(iri),
        title=label(g, iri),
        types=[ref(g, t) for t in types],
        definition=definition,
        facts=[f for f in facts if not f.copy_of] + (
            [Fact(Ref("web page"), pages)] if pages else []),
        related=related_facts,
        sources=_sources(g, iri),
        same_as=[ref(g, o) for o in sorted(g.objects(iri, OWL.sameAs), key=str) if o != iri],
        folded=[f for f in facts if f.copy_of],
        folded_related=folded_related,
    )


def _unique(refs: list[Ref]) -> list[Ref]:
    seen: dict[str, Ref] = {}
    for r in refs:
        seen.setdefault(r.href or r.text, r)
    return list(seen.values())


def instances(built: Built, cls: URIRef) -> list[Ref]:
    g = built.merged()
    members = {s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    return sorted((ref(g, s) for s in members), key=lambda r: r.text.lower())


def classes(built: Built) -> list[tuple[Ref, int]]:
    """Our classes with the number of their (asserted or entailed) instances."""
    g = built.merged()
    out = []
    for c in sorted(set(built.ontology.subjects(RDF.type, OWL.Class)), key=str):
        if isinstance(c, URIRef) and str(c).startswith(TERMS_BASE):
            n = sum(1 for s in g.subjects(RDF.type, c) if isinstance(s, URIRef))
            r = ref(g, c)
            r.href = "/classes/" + str(c)[len(TERMS_BASE):]
            out.append((r, n))
    return sorted(out, key=lambda x: x[0].text.lower())
