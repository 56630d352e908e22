"""The SPARQL 1.1 Protocol endpoint against real clients: SPARQLWrapper, rdflib's SPARQLStore and
raw HTTP. Every canned query answers over HTTP exactly as `run_canned` does in-process."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import SPARQLWrapper as sw
from query_cases import CASES, EXTERNAL
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from server_util import ANSWER_DEADLINE, LiveServer, start_server

from natoeu_graph.core.resources import Resources
from natoeu_graph.sparql.queries import bindings, get_query, run, run_canned
from natoeu_graph.stores.proven import oxigraph_datatype


@pytest.fixture(scope="module")
def live(built: Any) -> Iterator[LiveServer]:
    """A deadline that lets the slowest canned query finish, however busy the machine."""
    yield from start_server(timeout=ANSWER_DEADLINE)


SERVED = [(n, p) for n, p in CASES if n not in EXTERNAL]  # the server has no --with data


def _key(term: Any) -> tuple[str, ...] | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return ("literal", str(term), term.language or "", str(term.datatype or ""))
    return (type(term).__name__, str(term))


def expected_rows(res: Resources, graph: Graph, name: str, params: dict[str, str],
                  adhoc: bool = False) -> list[Any]:
    """rdflib's rows; ``adhoc``: as Oxigraph, which runs ad-hoc queries, types them (it keeps
    integer subtypes such as xsd:nonNegativeInteger as xsd:integer)."""
    result = run_canned(graph, get_query(res.queries_dir, name), params)
    rows = [tuple(_key(t) for t in row) for row in result]  # type: ignore[union-attr]
    if not adhoc:
        return rows
    return [tuple(k if k is None or k[0] != "literal" else (*k[:3], oxigraph_datatype(k[3]))
                  for k in row) for row in rows]


def inlined(res: Resources, name: str, params: dict[str, str]) -> str:
    """The canned query text with its parameters written in as RDF terms (what a client does)."""
    q = get_query(res.queries_dir, name)
    text = q.text
    for var, term in bindings(q, params).items():
        text = re.sub(r"\?" + re.escape(var) + r"\b", term.n3().replace("\\", "\\\\"), text)
    return text


def _from_json(doc: dict[str, Any]) -> list[Any]:
    names = doc["head"]["vars"]
    rows = []
    for b in doc["results"]["bindings"]:
        row = []
        for n in names:
            t = b.get(n)
            if t is None:
                row.append(None)
            elif t["type"] == "uri":
                row.append(_key(URIRef(t["value"])))
            elif t["type"] == "bnode":
                row.append(_key(BNode(t["value"])))
            else:
                row.append(_key(Literal(t["value"], lang=t.get("xml:lang"),
                                        datatype=t.get("datatype"))))
        rows.append(tuple(row))
    return rows


def _from_result(result: Result) -> list[Any]:
    return [tuple(_key(t) for t in row) for row in result]  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "params"), SERVED)
def test_sparqlwrapper_json_and_xml_equal_run_canned(
        live: LiveServer, res: Resources, graph: Graph, name: str,
        params: dict[str, str]) -> None:
    want = expected_rows(res, graph, name, params, adhoc=True)
    client = sw.SPARQLWrapper(live.url + "/sparql")
    client.setQuery(inlined(res, name, params))
    # SPARQLWrapper guesses the query type with a regex that some of our comments fool
    client.queryType = sw.SELECT
    client.setReturnFormat(sw.JSON)
    assert _from_json(client.query().convert()) == want  # type: ignore[arg-type]
    client.setReturnFormat(sw.XML)
    raw = client.query().response.read()
    assert _from_result(Result.parse(io.BytesIO(raw), format="xml")) == want


@pytest.mark.parametrize(("name", "params"), SERVED)
def test_canned_endpoint_equals_run_canned(live: LiveServer, res: Resources, graph: Graph,
                                           name: str, params: dict[str, str]) -> None:
    status, headers, body = live.request(f"/queries/{name}?{urlencode(params)}")
    assert status == 200, body
    assert headers["content-type"].startswith("application/sparql-results+json")
    assert _from_json(json.loads(body)) == expected_rows(res, graph, name, params)


def test_sparqlstore_select_and_construct(live: LiveServer, res: Resources,
                                          graph: Graph) -> None:
    store = SPARQLStore(live.url + "/sparql")
    remote = Graph(store)
    for name, params in SERVED:
        if name == "exercises":  # ~17 s in rdflib; the tests above already cover it
            continue
        got = _from_result(remote.query(inlined(res, name, params)))
        assert got == expected_rows(res, graph, name, params, adhoc=True), name
    construct = ("PREFIX org: <http://www.w3.org/ns/org#> CONSTRUCT { ?m org:member ?s } "
                 "WHERE { ?m org:member ?s ; org:organization <https://w3id.org/natoeu/id/EU> }")
    got_graph = Graph()
    for t in remote.query(construct):
        got_graph.add(t)  # type: ignore[arg-type]
    assert len(got_graph) > 20
    assert isomorphic(got_graph, run(graph, construct).graph)  # type: ignore[arg-type]
    assert remote.query("ASK { ?s ?p ?o }").askAnswer is True


ASK = "ASK { <https://w3id.org/natoeu/id/FIN> ?p ?o }"
SELECT = ("SELECT ?s WHERE { ?s <http://www.w3.org/ns/org#member> ?o } ORDER BY ?s LIMIT 3")
CONSTRUCT = ("CONSTRUCT { <https://w3id.org/natoeu/id/FIN> ?p ?o } "
             "WHERE { <https://w3id.org/natoeu/id/FIN> ?p ?o }")


def test_get_post_form_and_post_direct_agree(live: LiveServer) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        live.request("/sparql?query=" + quote(SELECT), headers=accept),
        live.request("/sparql", method="POST", data=urlencode({"query": SELECT}).encode(),
                       headers={**accept,
                                "Content-Type": "application/x-www-form-urlencoded"}),
        live.request("/sparql", method="POST", data=SELECT.encode(),
                       headers={**accept, "Content-Type": "application/sparql-query"}),
    ]
    assert {a[0] for a in answers} == {200}
    assert len({a[2] for a in answers}) == 1
    assert len(json.loads(answers[0][2])["results"]["bindings"]) == 3


@pytest.mark.parametrize(("accept", "ctype"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_content_negotiation(live: LiveServer, accept: str, ctype: str) -> None:
    status, headers, body = live.request("/sparql?query=" + quote(SELECT),
                                           headers={"Accept": accept})
    assert status == 200
    assert headers["content-type"].split(";")[0] == ctype
    assert "accept" in headers["vary"].lower()
    if ctype != "application/sparql-results+json":
        fmt = {"application/sparql-results+xml": "xml", "text/csv": "csv",
               "text/tab-separated-values": "tsv"}[ctype]
        assert len(list(Result.parse(io.BytesIO(body), format=fmt))) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize("accept", ["application/sparql-results+json",
                                    "application/sparql-results+xml"])
def test_ask(live: LiveServer, accept: str) -> None:
    status, _, body = live.request("/sparql?query=" + quote(ASK), headers={"Accept": accept})
    assert status == 200
    fmt = "json" if accept.endswith("json") else "xml"
    assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is True


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_content_negotiation(live: LiveServer, graph: Graph, accept: str,
                                       fmt: str) -> None:
    status, headers, body = live.request("/sparql?query=" + quote(CONSTRUCT),
                                           headers={"Accept": accept})
    assert status == 200
    assert headers["content-type"].split(";")[0] == accept
    got = Graph().parse(data=body, format=fmt)
    assert isomorphic(got, run(graph, CONSTRUCT).graph)  # type: ignore[arg-type]


def test_describe(live: LiveServer) -> None:
    status, _, body = live.request(
        "/sparql?query=" + quote("DESCRIBE <https://w3id.org/natoeu/id/NATO>"),
        headers={"Accept": "text/turtle"})
    assert status == 200
    assert len(Graph().parse(data=body, format="turtle")) > 3


def test_service_description(live: LiveServer) -> None:
    status, _, body = live.request("/sparql", headers={"Accept": "text/turtle"})
    assert status == 200
    sd = Graph().parse(data=body, format="turtle")
    sd_ns = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(live.url + "/sparql"), URIRef(sd_ns + "supportedLanguage"),
            URIRef(sd_ns + "SPARQL11Query")) in sd
    assert not list(sd.triples((None, None, URIRef(sd_ns + "SPARQL11Update"))))


def test_service_description_names_the_host_asked_and_is_validated(live: LiveServer) -> None:
    """The endpoint IRI comes from the Host header (rendered by a worker, then cached): each
    Host gets its own description, with an ETag that a revalidation answers with 304."""
    sd_ns = "http://www.w3.org/ns/sparql-service-description#"
    for k in range(3):
        host = f"sparql-{k}.example.org"
        status, headers, body = live.request("/sparql", headers={
            "Accept": "application/n-triples", "Host": host})
        assert status == 200 and headers["content-type"].startswith("application/n-triples")
        sd = Graph().parse(data=body, format="nt")
        assert (URIRef(f"http://{host}/sparql"), URIRef(sd_ns + "endpoint"), None) in sd
        again = live.request("/sparql", headers={"Accept": "application/n-triples",
                                                 "Host": host,
                                                 "If-None-Match": headers["etag"]})
        assert again[0] == 304


def test_canned_query_list_and_formats(live: LiveServer) -> None:
    status, _, body = live.request("/queries", headers={"Accept": "application/json"})
    assert status == 200
    assert "shared-members" in {q["name"] for q in json.loads(body)}
    status, headers, body = live.request("/queries/member-counts?date=2018-07-01&format=csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.decode().splitlines() == ["date,nato,eu,shared", "2018-07-01,29,28,22"]


def test_row_cap_signalled(live: LiveServer) -> None:
    status, headers, body = live.request(
        "/sparql?query=" + quote("SELECT * WHERE { ?a ?p ?x . ?b ?q ?y }"),
        headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert headers["x-natoeu-truncated"] == "rows=2000"
    assert len(json.loads(body)["results"]["bindings"]) == 2000


def test_relative_iris_resolve_against_the_service_iri(live: LiveServer) -> None:
    """The W3C protocol test query_content_type_construct without its remote data: `<s>` was
    sent back as `<s>` in N-Triples (which rapper, N3.js and Oxigraph refuse), RDF/XML failed
    with a 400 and SELECT gave "s". The base is the endpoint's IRI, as on Oxigraph server."""
    import pyoxigraph as ox

    construct = "/sparql?query=" + quote("CONSTRUCT { <s> <p> 1 } WHERE {}")
    status, _, body = live.request(construct, headers={"Accept": "application/n-triples"})
    assert status == 200, body
    (triple,) = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))  # strict: absolute IRIs
    assert triple.subject == ox.NamedNode(live.url + "/s")
    status, _, body = live.request(construct, headers={"Accept": "application/rdf+xml"})
    assert status == 200, body
    assert len(list(ox.parse(body, format=ox.RdfFormat.RDF_XML))) == 1
    status, _, body = live.request("/sparql?query=" + quote("SELECT (<s> AS ?x) WHERE {}"),
                                   headers={"Accept": "application/sparql-results+json"})
    cell = json.loads(body)["results"]["bindings"][0]["x"]
    assert cell == {"type": "uri", "value": live.url + "/s"}
    status, _, body = live.request("/sparql?query=" + quote(
        "BASE <http://example.org/a/> SELECT (<s> AS ?x) WHERE {}"),
        headers={"Accept": "application/sparql-results+json"})
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "http://example.org/a/s"
