"""The server's RDF dataset: three named graphs, their merge as the default graph, selectable with
default-graph-uri / named-graph-uri or FROM / FROM NAMED; anything else is 400, never fetched.
And `natoeu query --endpoint` against `natoeu serve` answers as the local graph does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from conftest import run_cli
from query_cases import LOCAL, case_file, rows
from rdflib import Graph, Namespace, URIRef
from server_util import ANSWER_DEADLINE, LiveServer, start_server

from natoeu_graph.pipeline.build import Built

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
G = "https://w3id.org/natoeu/graph/"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def live(built: Built) -> Iterator[LiveServer]:
    yield from start_server(timeout=ANSWER_DEADLINE)


def _select(live: LiveServer, query: str, **dataset: list[str]) -> tuple[int, Any]:
    params = [("query", query)] + [(k.replace("_", "-"), v)
                                   for k, vs in dataset.items() for v in vs]
    status, _, body = live.request("/sparql?" + urlencode(params), headers=JSON)
    return status, json.loads(body)


def _count(doc: Any) -> int:
    return int(doc["results"]["bindings"][0]["n"]["value"])


def test_graph_query_lists_the_three_parts(live: LiveServer, built: Built) -> None:
    status, doc = _select(live, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                          "GROUP BY ?g ORDER BY ?g")
    assert status == 200, doc
    got = {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}
    assert got == {G + "ontology": len(built.ontology), G + "asserted": len(built.asserted),
                   G + "inferred": len(built.inferred)}


def test_default_graph_is_the_merge(live: LiveServer, built: Built) -> None:
    status, doc = _select(live, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200 and _count(doc) == len(built.merged())


def test_protocol_dataset_selects_own_graphs(live: LiveServer, built: Built) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, doc = _select(live, count, default_graph_uri=[G + "inferred"])
    assert status == 200 and _count(doc) == len(built.inferred)
    # only named graphs: the default graph is empty, GRAPH sees just the one named
    status, doc = _select(live, count, named_graph_uri=[G + "ontology"])
    assert status == 200 and _count(doc) == 0
    status, doc = _select(live, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                          named_graph_uri=[G + "ontology"])
    assert [b["g"]["value"] for b in doc["results"]["bindings"]] == [G + "ontology"]
    # the protocol's dataset wins over the query's FROM (SPARQL 1.1 Protocol 2.2.4)
    status, doc = _select(live, f"SELECT (COUNT(*) AS ?n) FROM <{G}asserted> "
                          "WHERE { ?s ?p ?o }", default_graph_uri=[G + "ontology"])
    assert status == 200 and _count(doc) == len(built.ontology)


def test_from_clauses_select_own_graphs(live: LiveServer, built: Built) -> None:
    status, doc = _select(live, f"SELECT (COUNT(*) AS ?n) FROM <{G}asserted> "
                          f"FROM <{G}inferred> WHERE {{ ?s ?p ?o }}")
    merged = len(built.asserted + built.inferred)
    assert status == 200 and _count(doc) == merged


def test_other_graphs_are_refused_by_name(live: LiveServer) -> None:
    for params in ({"default_graph_uri": ["http://127.0.0.1:9/data.rdf"]},
                   {"named_graph_uri": [G + "ontology", "urn:other"]}):
        status, doc = _select(live, "ASK {}", **params)
        assert status == 400 and doc["error"] == "dataset_not_allowed"
        assert G + "ontology" in doc["message"]  # names what may be asked for
    status, doc = _select(live, "ASK FROM <http://127.0.0.1:9/x> {}")
    assert status == 400 and "http://127.0.0.1:9/x" in doc["message"]


def test_service_description_describes_the_dataset(live: LiveServer, built: Built) -> None:
    status, _, body = live.request("/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    g = Graph().parse(data=body, format="turtle")
    service = next(g.subjects(SD.endpoint, None))
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    dataset = g.value(service, SD.defaultDataset)
    assert g.value(dataset, SD.defaultGraph) is not None
    names = {g.value(n, SD.name) for n in g.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(G + p) for p in ("ontology", "asserted", "inferred")}


@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_query_endpoint_equals_local(live: LiveServer, name: str,
                                     params: dict[str, str]) -> None:
    args = ["query", name, "-f", "csv"] + [a for k, v in params.items()
                                           for a in ("-p", f"{k}={v}")]
    local = run_cli(*args)
    remote = run_cli(*args, "--endpoint", live.url + "/sparql")
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert rows(remote.stdout) == rows(local.stdout)
