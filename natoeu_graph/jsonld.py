"""JSON-LD done with pyld: the published context, compact and framed documents, no remote loads.

The context (ontology/natoeu.context.jsonld) is generated from the ontology by
``build_context`` and committed; a test keeps the file in step with the ontology.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyld import jsonld
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.term import Node

from .errors import UsageError
from .namespaces import PREFIXES, TERMS_BASE
from .walk import walk

CONTEXT_IRI = "https://w3id.org/natoeu/context.jsonld"

# Standard terms used in the data, with the short keys consumers see.
_STANDARD: dict[str, dict[str, Any] | str] = {
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "comment": {"@id": "rdfs:comment", "@container": "@language"},
    "seeAlso": {"@id": "rdfs:seeAlso", "@type": "@id"},
    "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
    "isDefinedBy": {"@id": "rdfs:isDefinedBy", "@type": "@id"},
    "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
    "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
    "definition": {"@id": "skos:definition", "@container": "@language"},
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
    "topConceptOf": {"@id": "skos:topConceptOf", "@type": "@id"},
    "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme",
    "member": {"@id": "org:member", "@type": "@id"},
    "organization": {"@id": "org:organization", "@type": "@id"},
    "memberDuring": {"@id": "org:memberDuring", "@type": "@id"},
    "unitOf": {"@id": "org:unitOf", "@type": "@id"},
    "postIn": {"@id": "org:postIn", "@type": "@id"},
    "heldBy": {"@id": "org:heldBy", "@type": "@id"},
    "Interval": "time:Interval",
    "Instant": "time:Instant",
    "hasBeginning": {"@id": "time:hasBeginning", "@type": "@id"},
    "hasEnd": {"@id": "time:hasEnd", "@type": "@id"},
    "inXSDDate": {"@id": "time:inXSDDate", "@type": "xsd:date"},
    "inXSDgYearMonth": {"@id": "time:inXSDgYearMonth", "@type": "xsd:gYearMonth"},
    "inXSDgYear": {"@id": "time:inXSDgYear", "@type": "xsd:gYear"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "wasQuotedFrom": {"@id": "prov:wasQuotedFrom", "@type": "@id"},
    "title": {"@id": "dcterms:title"},
    "description": {"@id": "dcterms:description"},
    "date": {"@id": "dcterms:date"},
    "issued": {"@id": "dcterms:issued"},
    "identifier": {"@id": "dcterms:identifier"},
    "publisher": {"@id": "dcterms:publisher", "@type": "@id"},
    "references": {"@id": "dcterms:references", "@type": "@id"},
    "page": {"@id": "foaf:page", "@type": "@id"},
    "name": {"@id": "foaf:name"},
    "sameAs": {"@id": "owl:sameAs", "@type": "@id"},
}
_DATATYPES = {"ordinal": "xsd:positiveInteger", "declaredMeasureCount": "xsd:nonNegativeInteger"}


def build_context(ontology: Graph) -> dict[str, Any]:
    """The JSON-LD context: prefixes, every natoeu: term by its local name, standard terms."""
    ctx: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type"}
    ctx.update({k: v for k, v in sorted(PREFIXES.items()) if k != "sh"})
    for term in sorted({s for s in ontology.subjects()
                        if isinstance(s, URIRef) and str(s).startswith(TERMS_BASE)}):
        local = str(term)[len(TERMS_BASE):]
        types = set(ontology.objects(term, RDF.type))
        if OWL.ObjectProperty in types:
            ctx[local] = {"@id": f"natoeu:{local}", "@type": "@id"}
        elif OWL.DatatypeProperty in types and local in _DATATYPES:
            ctx[local] = {"@id": f"natoeu:{local}", "@type": _DATATYPES[local]}
        else:
            ctx[local] = f"natoeu:{local}"
    ctx.update(_STANDARD)
    return {"@context": ctx}


def load_context(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def offline_loader(context: dict[str, Any]) -> Any:
    """A pyld document loader that serves only our own context and refuses every other URL."""

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == CONTEXT_IRI:
            return {"contextUrl": None, "documentUrl": url, "document": context}
        raise jsonld.JsonLdError(
            f"remote document {url!r} refused: natoeu never loads JSON-LD from the network",
            "jsonld.LoadDocumentError", code="loading document failed")

    return load


def _expanded(graph: Graph) -> list[dict[str, Any]]:
    # sorted: rdflib's order follows string hashes, and pyld embeds the node it meets first
    nquads = "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    return list(jsonld.from_rdf(nquads, {"format": "application/n-quads"}))


def compact(graph: Graph, context: dict[str, Any]) -> dict[str, Any]:
    """Compact JSON-LD of ``graph`` using the project context (embedded, so it is offline)."""
    doc = jsonld.compact(_expanded(graph), context,
                         {"documentLoader": offline_loader(context), "graph": True})
    return dict(doc)


def frame(graph: Graph, context: dict[str, Any], frame_doc: dict[str, Any]) -> dict[str, Any]:
    """Frame ``graph`` (e.g. a declaration with its signatures embedded) with pyld."""
    f = {**frame_doc, "@context": context["@context"]}
    doc = jsonld.frame(_expanded(graph), f, {"documentLoader": offline_loader(context),
                                             "omitGraph": False})
    return dict(doc)


def to_graph(doc: dict[str, Any], context: dict[str, Any]) -> Graph:
    """Parse JSON-LD with pyld (an implementation independent of rdflib's parser)."""
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads",
                                 "documentLoader": offline_loader(context)})
    g = Graph()
    g.parse(data=nquads, format="nquads")
    return g


def frames_dir(ontology_dir: Path) -> Path:
    return ontology_dir / "frames"


def load_frame(ontology_dir: Path, name: str) -> dict[str, Any]:
    path = frames_dir(ontology_dir) / f"{name}.frame.jsonld"
    if not path.is_file():
        known = sorted(p.name.split(".")[0] for p in frames_dir(ontology_dir).glob("*.jsonld"))
        raise UsageError(f"unknown frame '{name}'", hint=f"Known frames: {', '.join(known)}.")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _embeddable(predicate: Node, obj: Node) -> bool:
    """What a frame can embed: every object except the classes named by ``rdf:type``."""
    return not isinstance(obj, URIRef) or predicate != RDF.type


def reachable(graph: Graph, roots: list[Any]) -> Graph:
    """The triples of ``roots`` and of every node reachable from them: what a frame embeds."""
    out = Graph()
    for triple in walk(graph, *roots, follow=_embeddable):
        out.add(triple)
    return out
