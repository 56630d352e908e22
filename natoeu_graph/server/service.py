"""The SPARQL 1.1 Service Description served at GET /sparql without a query."""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from ..core.namespaces import new_graph
from .protocol import GRAPH_TYPES, RESULT_TYPES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
_FORMATS = Namespace("http://www.w3.org/ns/formats/")
_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML",
                "csv": "SPARQL_Results_CSV", "tsv": "SPARQL_Results_TSV", "ttl": "Turtle",
                "nt": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF_XML"}


def service_description(endpoint: str, triples: int, parts: dict[str, int]) -> Graph:
    """The description; ``parts`` maps each named graph's IRI to its number of triples.

    The dataset: the named graphs, and as the default graph their RDF merge
    (sd:UnionDefaultGraph). Requests may select among these graphs with default-graph-uri /
    named-graph-uri or FROM / FROM NAMED; other graphs are never fetched.
    """
    g = new_graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    s = URIRef(endpoint)
    g.add((s, RDF.type, SD.Service))
    g.add((s, SD.endpoint, s))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))  # read-only: no SPARQL11Update
    for fmt in (*RESULT_TYPES, *GRAPH_TYPES):
        g.add((s, SD.resultFormat, _FORMATS[_FORMAT_IRIS[fmt]]))
    dataset, default = BNode("dataset"), BNode("default")
    g.add((s, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((s, SD.feature, SD.UnionDefaultGraph))
    for name, count in parts.items():
        node = BNode("named-" + name.rstrip("/").rsplit("/", 1)[-1])
        graph = BNode(str(node) + "-graph")
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(name)))
        g.add((node, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(count, datatype=XSD.integer)))
    return g
