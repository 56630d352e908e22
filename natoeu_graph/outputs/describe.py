"""Dataset description: VoID statistics and DCAT 3 metadata, computed from the graph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import OWL, RDF, XSD, Graph, Literal, Namespace, URIRef

from ..core.namespaces import INSTANCES_BASE, ONTOLOGY_IRI, PREFIXES, TERMS_BASE, new_graph
from ..pipeline.build import Built
from .export import combined

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

DATASET = URIRef("https://w3id.org/natoeu/dataset")
ENDPOINT = URIRef("https://w3id.org/natoeu/sparql")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
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


@dataclass(frozen=True)
class Stats:
    triples: int
    entities: int
    classes: Counter[URIRef]
    properties: Counter[URIRef]
    links: dict[str, int]


def statistics(g: Graph) -> Stats:
    classes: Counter[URIRef] = Counter()
    for s, o in g.subject_objects(RDF.type):
        if isinstance(o, URIRef) and str(s).startswith(INSTANCES_BASE):
            classes[o] += 1
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


def _local(iri: URIRef) -> str:
    for prefix, base in PREFIXES.items():
        if str(iri).startswith(base):
            return f"{prefix}-{str(iri)[len(base):]}"
    return str(abs(hash(iri)))  # pragma: no cover - every class is in a known namespace


def describe(built: Built, sizes: dict[str, int] | None = None) -> Graph:
    """VoID + DCAT for the release. ``sizes`` gives dump file sizes in bytes, when known."""
    g = new_graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    version, modified = _version(built)
    stats = statistics(combined(built, inferred=False))
    base = f"https://w3id.org/natoeu/release/{version}/"
    d = DATASET
    for t in (VOID.Dataset, DCAT.Dataset):
        g.add((d, RDF.type, t))
    g.add((d, DCTERMS.title, Literal("natoeu-graph: NATO-EU relations", lang="en")))
    g.add((d, DCTERMS.description, Literal(
        "A knowledge graph of relations between NATO and the European Union: memberships over "
        "time, office-holders, joint declarations, measure packages, operations, exercises, "
        "cyber incidents and the sources of every fact.", lang="en")))
    g.add((d, DCTERMS.license, LICENSE))
    g.add((d, DCAT.version, Literal(version)))
    if modified is not None:
        g.add((d, DCTERMS.modified, modified))
    publisher = URIRef("https://w3id.org/natoeu/id/natoeu-graph-developers")
    g.add((d, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal("natoeu-graph developers")))
    g.add((d, VOID.uriSpace, Literal(INSTANCES_BASE)))
    g.add((d, VOID.vocabulary, URIRef(TERMS_BASE)))
    for prefix in ("org", "time", "prov", "skos", "dcterms", "foaf"):
        g.add((d, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    g.add((d, VOID.sparqlEndpoint, ENDPOINT))
    service = URIRef("https://w3id.org/natoeu/sparql-service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, ENDPOINT))
    g.add((service, DCAT.servesDataset, d))
    g.add((d, DCAT.accessService, service))
    # statistics
    g.add((d, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((d, VOID.entities, Literal(stats.entities, datatype=XSD.integer)))
    g.add((d, VOID.classes, Literal(len(stats.classes), datatype=XSD.integer)))
    g.add((d, VOID.properties, Literal(len(stats.properties), datatype=XSD.integer)))
    for cls, n in sorted(stats.classes.items()):
        part = URIRef(f"{DATASET}/class/{_local(cls)}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for prop, n in sorted(stats.properties.items()):
        part = URIRef(f"{DATASET}/property/{_local(prop)}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    inferred = URIRef(f"{DATASET}/inferred")
    g.add((d, VOID.subset, inferred))
    g.add((inferred, RDF.type, VOID.Dataset))
    g.add((inferred, DCTERMS.title, Literal("OWL RL entailments", lang="en")))
    g.add((inferred, VOID.triples, Literal(len(built.inferred), datatype=XSD.integer)))
    for name, (_, target) in LINK_TARGETS.items():
        ls = URIRef(f"{DATASET}/linkset/{name}")
        g.add((d, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, VOID.subjectsTarget, d))
        g.add((ls, VOID.objectsTarget, target))
        g.add((ls, VOID.linkPredicate, OWL.sameAs))
        g.add((ls, VOID.triples, Literal(stats.links[name], datatype=XSD.integer)))
    for filename, media in MEDIA_TYPES.items():
        dist = URIRef(base + filename)
        g.add((d, DCAT.distribution, dist))
        g.add((d, VOID.dataDump, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.mediaType,
               URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        g.add((dist, DCTERMS.license, LICENSE))
        if sizes and filename in sizes:
            g.add((dist, DCAT.byteSize, Literal(sizes[filename], datatype=XSD.nonNegativeInteger)))
    return g
