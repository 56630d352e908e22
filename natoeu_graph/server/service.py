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


def service_description(endpoint: str, triples: int) -> Graph:
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
    return g
