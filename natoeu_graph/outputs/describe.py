"""Dataset description: VoID statistics and DCAT 3 metadata (DCAT-AP 3.0.1), computed from the
graph.

What each count describes, so that a reader can check it against the files ``natoeu release``
writes:

- the dataset (``void:dataDump`` natoeu-inferred.nq and natoeu-inferred.trig) is everything:
  ontology, asserted data and OWL RL entailments, three disjoint named graphs;
- its subset ``dataset/asserted`` is the ontology and the asserted data, what natoeu.ttl,
  natoeu.nt and natoeu.jsonld hold (its own ``void:dataDump``s);
- its subset ``dataset/inferred`` is the entailments alone: the named graph
  ``graph/inferred`` of the complete dumps (no file holds it alone).

``void:classes`` is the number of distinct ``rdf:type`` objects of the triples counted, and the
class partitions list every one of them. DCAT-AP range shapes check the ``rdf:type`` of the
nodes a description points to, so the description types them itself: the licence
(``dct:LicenseDocument``), media types (``dct:MediaType``), formats from the EU file-type
authority (``dct:MediaTypeOrExtent``), the theme (``skos:Concept`` with its label).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..core.namespaces import (
    GRAPH_INFERRED,
    INSTANCES_BASE,
    ONTOLOGY_IRI,
    PREFIXES,
    TERMS_BASE,
    TIME,
    new_graph,
)
from ..pipeline.build import Built
from .export import combined

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

DATASET = URIRef("https://w3id.org/natoeu/dataset")
ASSERTED = URIRef(f"{DATASET}/asserted")
INFERRED = URIRef(f"{DATASET}/inferred")
ENDPOINT = URIRef("https://w3id.org/natoeu/sparql")
SERVICE = URIRef("https://w3id.org/natoeu/sparql-service")
PUBLISHER = URIRef("https://w3id.org/natoeu/id/natoeu-graph-developers")
CONTACT = URIRef(f"{DATASET}/contact")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# ADMS licence-type vocabulary: CC BY requires attribution, nothing more.
LICENCE_TYPE = URIRef("http://purl.org/adms/licencetype/Attribution")
# EU Vocabularies, data themes: the relations of two international organisations.
THEME = URIRef("http://publications.europa.eu/resource/authority/data-theme/INTR")
THEME_LABEL = "International issues"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
KEYWORDS = ("NATO", "European Union", "EU-NATO cooperation", "international organisations",
            "membership", "defence", "security", "joint declarations", "linked data")
LINK_TARGETS = {
    "wikidata": ("http://www.wikidata.org/entity/", URIRef("https://www.wikidata.org/")),
    "dbpedia": ("http://dbpedia.org/resource/", URIRef("https://dbpedia.org/")),
}
MEDIA_TYPES = {
    "natoeu.ttl": "text/turtle",
    "natoeu.nt": "application/n-triples",
    "natoeu.jsonld": "application/ld+json",
    "natoeu-inferred.trig": "application/trig",
    "natoeu-inferred.nq": "application/n-quads",
}
FILE_TYPES = {  # EU file-type authority codes of the dumps
    "natoeu.ttl": "RDF_TURTLE",
    "natoeu.nt": "RDF_N_TRIPLES",
    "natoeu.jsonld": "JSON_LD",
    "natoeu-inferred.trig": "RDF_TRIG",
    "natoeu-inferred.nq": "RDF_N_QUADS",
}
COMPLETE_DUMPS = ("natoeu-inferred.nq", "natoeu-inferred.trig")
_ASSERTED_TEXT = "the ontology and the asserted data, without the OWL RL entailments"
_COMPLETE_TEXT = ("the ontology, the asserted data and the OWL RL entailments, each in its own "
                  "named graph")
DUMP_DESCRIPTIONS = {
    "natoeu.ttl": f"Turtle: {_ASSERTED_TEXT}.",
    "natoeu.nt": f"N-Triples, sorted lines: {_ASSERTED_TEXT}.",
    "natoeu.jsonld": f"JSON-LD compacted with the natoeu context: {_ASSERTED_TEXT}.",
    "natoeu-inferred.trig": f"TriG: {_COMPLETE_TEXT}.",
    "natoeu-inferred.nq": f"N-Quads, sorted lines: {_COMPLETE_TEXT}.",
}
# Dates of facts (instants, document and event dates); source dates date the sources instead.
_FACT_DATES = (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear, DCTERMS.date)


@dataclass(frozen=True)
class Stats:
    triples: int
    entities: int
    classes: Counter[Node]
    properties: Counter[URIRef]
    links: dict[str, int]


def statistics(g: Graph) -> Stats:
    """VoID counts of ``g``: ``classes`` maps every ``rdf:type`` object to its instance count;
    entities are the subjects in the instance namespace (``void:uriSpace``)."""
    instances: dict[Node, set[Node]] = {}
    for s, o in g.subject_objects(RDF.type):
        instances.setdefault(o, set()).add(s)
    classes: Counter[Node] = Counter({c: len(members) for c, members in instances.items()})
    properties: Counter[URIRef] = Counter(p for _, p, _ in g if isinstance(p, URIRef))
    entities = {s for s in g.subjects() if str(s).startswith(INSTANCES_BASE)}
    links = {name: sum(1 for _, o in g.subject_objects(OWL.sameAs) if str(o).startswith(base))
             for name, (base, _) in LINK_TARGETS.items()}
    return Stats(len(g), len(entities), classes, properties, links)


def _version(built: Built) -> tuple[str, Literal | None]:
    onto = URIRef(ONTOLOGY_IRI)
    version = built.ontology.value(onto, OWL.versionInfo)
    modified = built.ontology.value(onto, DCTERMS.modified)
    return str(version or "0"), modified if isinstance(modified, Literal) else None


def _local(iri: Node) -> str:
    for prefix, base in PREFIXES.items():
        if str(iri).startswith(base):
            return f"{prefix}-{str(iri)[len(base):]}"
    return hashlib.sha256(str(iri).encode()).hexdigest()[:16]  # stable across hash seeds


def _integer(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _counts(g: Graph, node: URIRef, stats: Stats) -> None:
    g.add((node, VOID.triples, _integer(stats.triples)))
    g.add((node, VOID.entities, _integer(stats.entities)))
    g.add((node, VOID.classes, _integer(len(stats.classes))))
    g.add((node, VOID.properties, _integer(len(stats.properties))))


def temporal_extent(asserted: Graph) -> tuple[Literal, Literal] | None:
    """The earliest and the latest date of a fact (instants, document and event dates)."""
    dates = sorted((o for p in _FACT_DATES for o in asserted.objects(None, p)
                    if isinstance(o, Literal)), key=str)
    return (dates[0], dates[-1]) if dates else None


def _agents(g: Graph, nodes: tuple[URIRef, ...]) -> None:
    """Publisher, contact point, licence and theme, on every node in ``nodes``."""
    g.add((PUBLISHER, RDF.type, FOAF.Agent))
    g.add((PUBLISHER, RDF.type, FOAF.Organization))
    g.add((PUBLISHER, FOAF.name, Literal("natoeu-graph developers")))
    # a contact point names who answers; no e-mail address or page is published, none invented
    g.add((CONTACT, RDF.type, VCARD.Kind))
    g.add((CONTACT, RDF.type, VCARD.Organization))
    g.add((CONTACT, VCARD.fn, Literal("natoeu-graph developers")))
    g.add((LICENSE, RDF.type, DCTERMS.LicenseDocument))
    g.add((LICENSE, DCTERMS.title,
           Literal("Creative Commons Attribution 4.0 International", lang="en")))
    g.add((LICENSE, DCTERMS.type, LICENCE_TYPE))
    g.add((LICENCE_TYPE, RDF.type, SKOS.Concept))
    g.add((LICENCE_TYPE, SKOS.prefLabel, Literal("Attribution", lang="en")))
    g.add((LICENCE_TYPE, SKOS.inScheme, URIRef("http://purl.org/adms/licencetype/1.0")))
    g.add((THEME, RDF.type, SKOS.Concept))
    g.add((THEME, SKOS.prefLabel, Literal(THEME_LABEL, lang="en")))
    g.add((THEME, SKOS.inScheme,
           URIRef("http://publications.europa.eu/resource/authority/data-theme")))
    for node in nodes:
        g.add((node, DCTERMS.publisher, PUBLISHER))
        g.add((node, DCAT.contactPoint, CONTACT))
        g.add((node, DCAT.theme, THEME))
        g.add((node, DCTERMS.license, LICENSE))
        for word in KEYWORDS:
            g.add((node, DCAT.keyword, Literal(word, lang="en")))


def _service(g: Graph) -> None:
    s = SERVICE
    g.add((s, RDF.type, DCAT.DataService))
    g.add((s, DCTERMS.title, Literal("natoeu-graph SPARQL endpoint", lang="en")))
    g.add((s, DCTERMS.description, Literal(
        "Read-only SPARQL 1.1 query service over the dataset (ontology, asserted data and "
        "entailments). A GET without a query returns its SPARQL service description.",
        lang="en")))
    g.add((s, DCAT.endpointURL, ENDPOINT))
    g.add((s, DCAT.endpointDescription, ENDPOINT))
    g.add((s, DCAT.servesDataset, DATASET))
    g.add((s, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, DCTERMS.title, Literal("SPARQL 1.1 Protocol", lang="en")))


def _distribution(g: Graph, dist: URIRef, title: str, description: str) -> None:
    g.add((DATASET, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal(title, lang="en")))
    g.add((dist, DCTERMS.description, Literal(description, lang="en")))
    g.add((dist, DCTERMS.license, LICENSE))


def _format(g: Graph, dist: URIRef, code: str, media: str | None) -> None:
    fmt = URIRef(FILE_TYPE + code)
    g.add((dist, DCTERMS["format"], fmt))
    g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
    if media is not None:
        mt = URIRef(IANA + media)
        g.add((dist, DCAT.mediaType, mt))
        g.add((mt, RDF.type, DCTERMS.MediaType))


def release_iri(version: str) -> URIRef:
    """The release ``version``: its dumps are ``release_iri(version)/FILE``."""
    return URIRef(f"https://w3id.org/natoeu/release/{version}")


def describe(built: Built, sizes: dict[str, int] | None = None,
             previous: str | None = None) -> Graph:
    """VoID + DCAT for the release. ``sizes`` gives dump file sizes in bytes, when known;
    ``previous`` is the version of the release this one revises (``prov:wasRevisionOf``)."""
    g = new_graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("vcard", VCARD)
    version, modified = _version(built)
    everything = statistics(combined(built, inferred=True))
    asserted = statistics(combined(built, inferred=False))
    inferred = statistics(built.inferred)
    base = f"{release_iri(version)}/"
    d = DATASET
    for t in (VOID.Dataset, DCAT.Dataset):
        g.add((d, RDF.type, t))
    g.add((d, DCTERMS.title, Literal("natoeu-graph: NATO-EU relations", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "A knowledge graph of relations between NATO and the European Union: memberships over "
        "time, office-holders, joint declarations, measure packages, operations, exercises, "
        "cyber incidents and the sources of every fact.", lang="en")))
    g.add((d, DCAT.version, Literal(version)))
    if previous is not None:
        g.add((d, PROV.wasRevisionOf, release_iri(previous)))
    if modified is not None:
        g.add((d, DCTERMS.modified, modified))
    _agents(g, (d, SERVICE))
    extent = temporal_extent(built.asserted)
    if extent is not None:
        period = URIRef(f"{DATASET}/temporal")
        g.add((d, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, extent[0]))
        g.add((period, DCAT.endDate, extent[1]))
    g.add((d, VOID.uriSpace, Literal(INSTANCES_BASE)))
    g.add((d, VOID.vocabulary, URIRef(TERMS_BASE)))
    for prefix in ("org", "time", "prov", "skos", "dcterms", "foaf"):
        g.add((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    g.add((d, VOID.sparqlEndpoint, ENDPOINT))
    _service(g)
    # statistics: the whole dataset, what its complete dumps hold
    _counts(g, d, everything)
    for cls, n in sorted(everything.classes.items()):
        part = URIRef(f"{DATASET}/class/{_local(cls)}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, _integer(n)))
    for prop, n in sorted(everything.properties.items()):
        part = URIRef(f"{DATASET}/property/{_local(prop)}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, _integer(n)))
    for subset, title, text, stats in (
            (ASSERTED, "Ontology and asserted data",
             f"The dataset without its entailments: {_ASSERTED_TEXT}.", asserted),
            (INFERRED, "OWL RL entailments",
             f"The named graph <{GRAPH_INFERRED}> of {' and '.join(COMPLETE_DUMPS)}.", inferred)):
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, DCTERMS.title, Literal(title, lang="en")))
        g.add((subset, DCTERMS.description, Literal(text, lang="en")))
        _counts(g, subset, stats)
    for name, (_, target) in LINK_TARGETS.items():
        ls = URIRef(f"{DATASET}/linkset/{name}")
        g.add((d, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.subjectsTarget, d))
        g.add((ls, VOID.objectsTarget, target))
        g.add((ls, VOID.linkPredicate, OWL.sameAs))
        g.add((ls, VOID.triples, _integer(everything.links[name])))
    # distributions: the five dumps, and the SPARQL endpoint (DCAT 3: the service is reached
    # through a distribution's dcat:accessService)
    for filename, media in MEDIA_TYPES.items():
        dist = URIRef(base + filename)
        _distribution(g, dist, filename, DUMP_DESCRIPTIONS[filename])
        g.add((d if filename in COMPLETE_DUMPS else ASSERTED, VOID.dataDump, dist))
        g.add((dist, DCAT.accessURL, dist))
        g.add((dist, DCAT.downloadURL, dist))
        _format(g, dist, FILE_TYPES[filename], media)
        if sizes and filename in sizes:
            g.add((dist, DCAT.byteSize, Literal(sizes[filename], datatype=XSD.nonNegativeInteger)))
    sparql = URIRef(f"{DATASET}/distribution/sparql")
    _distribution(g, sparql, "SPARQL endpoint",
                  "The whole dataset, entailments included, queried over the SPARQL 1.1 "
                  "Protocol.")
    g.add((sparql, DCAT.accessURL, ENDPOINT))
    g.add((sparql, DCAT.accessService, SERVICE))
    _format(g, sparql, "SPARQLQ", None)
    return g
