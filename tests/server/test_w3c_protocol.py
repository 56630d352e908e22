"""The W3C SPARQL 1.1 Protocol test manifest (tests/fixtures/w3c-sparql11-protocol/) run against a
live `natoeu serve` on 127.0.0.1. How its remote datasets and update tests map onto a read-only
server that never fetches a graph is in that directory's README."""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from server_util import LiveServer, start_server

from natoeu_graph.pipeline.build import Built

MANIFEST = Path(__file__).parents[1] / "fixtures" / "w3c-sparql11-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
G = "https://w3id.org/natoeu/graph/"
REMOTE = re.compile(r"http://kasei\.us/2009/09/sparql/data/data(\d)\.rdf")
GRAPH_OF = {"0": G + "asserted", "1": G + "ontology", "2": G + "asserted", "3": G + "asserted"}


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status: set[str]  # "2", "3", "4", "5"
    fmt: str | None
    boolean: bool | None
    text: str | None = None  # the body as characters (for mapping)
    encoding: str = "UTF-8"
    extra: dict[str, Any] = field(default_factory=dict)


def _manifest() -> list[tuple[str, list[Req]]]:
    g = Graph().parse(MANIFEST, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in g.items(g.value(manifest, MF.entries)):
        reqs = []
        for r in g.items(g.value(g.value(test, MF.action), HT.requests)):
            headers = {str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                       for h in g.items(g.value(r, HT.headers))} if g.value(r, HT.headers) \
                else {}
            body = g.value(r, HT.body)
            text = str(g.value(body, CNT.chars)) if body is not None else None
            enc = str(g.value(body, CNT.characterEncoding) or "UTF-8") if body else "UTF-8"
            resp = g.value(r, HT.resp)
            status = {str(s).rsplit("StatusCode", 1)[1][0] for s in
                      g.objects(resp, MF.expectedStatus)}
            b = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            reqs.append(Req(str(g.value(r, HT.methodName)),
                            str(g.value(r, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                            headers, text.encode(enc) if text is not None else None, status,
                            str(fmt) if fmt else None, b.toPython() if b is not None else None,
                            text, enc))
        tests.append((str(test).rsplit("#", 1)[1], reqs))
    return tests


TESTS = _manifest()


def _is_update(r: Req) -> bool:
    params = [k for k, _ in parse_qsl(urlsplit(r.path).query)]
    if r.text is not None and "form-urlencoded" in r.headers.get("content-type", ""):
        params += [k for k, _ in parse_qsl(r.text)]
    return ("update" in params or "sparql-update" in r.headers.get("content-type", "")
            or any(k.startswith("using-") for k in params))


QUERY_TESTS = [(n, rs) for n, rs in TESTS if not _is_update(rs[0])]
UPDATE_TESTS = [(n, rs) for n, rs in TESTS if _is_update(rs[0])]


def _remote(r: Req) -> bool:
    from urllib.parse import unquote
    return bool(REMOTE.search(unquote(r.path)) or (r.text and REMOTE.search(r.text)))


def send(live: LiveServer, r: Req) -> tuple[int, str, bytes]:
    host = urlsplit(live.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    try:
        # http.client adds no Content-Type of its own: the missing-type tests stay missing
        conn.request(r.method, r.path, body=r.body, headers=r.headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader("content-type") or "", resp.read()
    finally:
        conn.close()


def check(r: Req, status: int, ctype: str, body: bytes) -> None:
    assert str(status)[0] in r.status, (status, body[:300])
    if r.fmt is None or str(status)[0] != "2":
        return
    base = ctype.split(";")[0].strip()
    if r.fmt in ("boolean", "tabular"):
        if base == "application/sparql-results+json":
            doc = json.loads(body)
            answer = doc.get("boolean")
            assert ("boolean" in doc) == (r.fmt == "boolean")
        else:
            assert base == "application/sparql-results+xml", ctype
            root = ElementTree.fromstring(body)
            node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
            answer = None if node is None else node.text == "true"
            assert (node is not None) == (r.fmt == "boolean")
        if r.boolean is not None:
            assert answer is r.boolean
    else:
        fmt = {"text/turtle": "turtle", "application/n-triples": "nt",
               "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[base]
        Graph().parse(data=body, format=fmt)


@pytest.fixture(scope="module")
def live(built: Built) -> Iterator[LiveServer]:
    yield from start_server(timeout=20)


@pytest.fixture(scope="module")
def subjects(built: Built) -> dict[str, str]:
    """For data1..data3 a subject of the mapped graph, all with one type T (<s> a T exists in
    that graph and in no other), so `<dataN.rdf> a ?type` patterns hold only there."""
    parts = {"ontology": built.ontology, "asserted": built.asserted, "inferred": built.inferred}

    def only(name: str) -> dict[URIRef, list[URIRef]]:
        out: dict[URIRef, list[URIRef]] = {}
        for s, _, t in parts[name].triples((None, RDF.type, None)):
            if all((s, RDF.type, t) not in g for n, g in parts.items() if n != name):
                out.setdefault(t, []).append(s)
        return out

    ont, asserted = only("ontology"), only("asserted")
    t = min(k for k in ont if len(asserted.get(k, [])) >= 2)
    a1, a2 = sorted(asserted[t])[:2]
    return {"1": str(min(ont[t])), "2": str(a1), "3": str(a2)}


def _map_query(text: str, subjects: dict[str, str], graphs: dict[str, str]) -> str:
    text = re.sub(r"(FROM\s+(?:NAMED\s+)?)<" + REMOTE.pattern + ">",
                  lambda m: f"{m.group(1)}<{graphs[m.group(2)]}>", text)
    return REMOTE.sub(lambda m: subjects.get(m.group(1), graphs[m.group(1)]), text)


def mapped(r: Req, subjects: dict[str, str], graphs: dict[str, str]) -> Req:
    split = urlsplit(r.path)
    params = [(k, graphs[REMOTE.fullmatch(v).group(1)] if REMOTE.fullmatch(v)  # type: ignore
               else _map_query(v, subjects, graphs) if k == "query" else v)
              for k, v in parse_qsl(split.query)]
    path = split.path + ("?" + urlencode(params) if params else "")
    text = r.text
    if text is not None:
        if "form-urlencoded" in r.headers.get("content-type", ""):
            text = urlencode([(k, _map_query(v, subjects, graphs))
                              for k, v in parse_qsl(text)])
        else:
            text = _map_query(text, subjects, graphs)
    return Req(r.method, path, r.headers, text.encode(r.encoding) if text is not None else None,
               r.status, r.fmt, r.boolean, text, r.encoding)


@pytest.mark.parametrize(("name", "reqs"), QUERY_TESTS, ids=[n for n, _ in QUERY_TESTS])
def test_query_as_written(live: LiveServer, name: str, reqs: list[Req]) -> None:
    for r in reqs:
        status, ctype, body = send(live, r)
        if _remote(r) and r.method in ("GET", "POST"):
            # remote data: refused by design, named in the message, never fetched
            assert status == 400, body
            doc = json.loads(body)
            assert doc["error"] == "dataset_not_allowed"
            assert "kasei.us" in doc["message"]
        else:
            check(r, status, ctype, body)


REMOTE_TESTS = [(n, rs) for n, rs in QUERY_TESTS
                if any(_remote(r) for r in rs) and rs[0].method in ("GET", "POST")]


@pytest.mark.parametrize(("name", "reqs"), REMOTE_TESTS, ids=[n for n, _ in REMOTE_TESTS])
def test_query_mapped_to_own_graphs(live: LiveServer, subjects: dict[str, str], name: str,
                                    reqs: list[Req]) -> None:
    controls: list[str] = []
    for r in reqs:
        m = mapped(r, subjects, GRAPH_OF)
        check(m, *send(live, m))
        if r.boolean is True and any(n in (r.text or "") + r.path
                                     for n in ("a%20%3Ftype", "a ?type")):
            # the same request over a dataset without those subjects' types answers false
            control = mapped(r, subjects, dict.fromkeys(GRAPH_OF, G + "inferred"))
            status, _, body = send(live, control)
            assert status == 200 and json.loads(body)["boolean"] is False, body
            controls.append(name)
    # every test whose data says `<dataN.rdf> a ?type` had its control
    assert bool(controls) == (name.startswith("query_dataset")
                              or name == "query_multiple_dataset")


@pytest.mark.parametrize(("name", "reqs"), UPDATE_TESTS, ids=[n for n, _ in UPDATE_TESTS])
def test_update_refused(live: LiveServer, name: str, reqs: list[Req]) -> None:
    # read-only: the update is refused; the manifest's follow-up checks of its effect are moot
    r = reqs[0]
    status, _, body = send(live, r)
    ctype = r.headers.get("content-type", "")
    if "sparql-update" in ctype or "form-urlencoded" in ctype or r.method == "GET":
        assert status == 403, (status, body)
    else:  # no or a wrong media type: refused before it is read as an update
        assert 400 <= status < 500, (status, body)
