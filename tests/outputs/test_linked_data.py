"""Linked-data publishing: JSON-LD with the published context, frames, VoID/DCAT, links,
external data in (`--with`) under the untrusted-input rules, and federation."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import run_cli
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from natoeu_graph.core.context import build_context, load_context
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs import jsonld
from natoeu_graph.outputs.describe import VOID, describe
from natoeu_graph.outputs.export import combined, framed, framed_source, serialize
from natoeu_graph.pipeline.build import Built

FIXTURE = Path(__file__).parent.parent / "fixtures" / "wikidata-iso-codes.ttl"
NE = Namespace("https://w3id.org/natoeu/id/")


@pytest.fixture(scope="module")
def context(res: Resources) -> dict:
    return load_context(res.context)


def test_context_file_in_step_with_ontology(built: Built, context: dict) -> None:
    assert context == build_context(built.ontology)


def test_compact_jsonld_uses_the_context(built: Built, context: dict) -> None:
    doc = json.loads(serialize(built, "jsonld", context=context))
    assert doc["@context"] == context["@context"]
    fin = next(n for n in doc["@graph"] if n.get("id") == "ne:membership-fin-nato")
    assert fin["type"] == "Membership" and fin["member"] == "ne:FIN"
    assert "http://www.w3.org/ns/org#member" not in json.dumps(doc)


@pytest.mark.parametrize("name", ["declaration", "membership", "operation", "tenure", "claim"])
def test_framed_round_trips_with_rdflib_and_pyld(built: Built, res: Resources, context: dict,
                                                 name: str) -> None:
    frame = jsonld.load_frame(res.ontology_dir, name)
    out = framed(built, context, frame)
    source = framed_source(built, context, frame)
    assert len(source) > 50
    by_rdflib = Graph().parse(data=out, format="json-ld")
    by_pyld = jsonld.to_graph(json.loads(out), context)
    assert isomorphic(by_rdflib, source)
    assert isomorphic(by_pyld, source)


def test_declaration_frame_embeds_signatories(built: Built, res: Resources,
                                              context: dict) -> None:
    doc = json.loads(framed(built, context, jsonld.load_frame(res.ontology_dir, "declaration")))
    warsaw = next(n for n in doc["@graph"] if n["id"] == "ne:joint-declaration-2016")
    signatories = {s["signatory"]["id"] if isinstance(s["signatory"], dict) else s["signatory"]
                   for s in warsaw["signature"]}
    assert signatories == {"ne:jens-stoltenberg", "ne:donald-tusk", "ne:jean-claude-juncker"}


def test_compact_round_trips_with_pyld(built: Built, context: dict) -> None:
    doc = json.loads(serialize(built, "jsonld", context=context))
    assert isomorphic(jsonld.to_graph(doc, context), combined(built, inferred=False))


def test_nquads_named_graphs(built: Built) -> None:
    lines = serialize(built, "nquads", inferred=True).decode().splitlines()
    graphs = {line.rsplit(" ", 2)[-2] for line in lines}
    assert graphs == {"<https://w3id.org/natoeu/graph/ontology>",
                      "<https://w3id.org/natoeu/graph/asserted>",
                      "<https://w3id.org/natoeu/graph/inferred>"}


def test_describe_triples_equal_the_export(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "export.nt"
    assert run_cli("export", "-f", "nt", "-o", str(out)).returncode == 0
    exported = len(Graph().parse(out, format="nt"))
    complete = tmp_path / "export.nq"
    assert run_cli("export", "-f", "nquads", "--inferred", "-o", str(complete)).returncode == 0
    quads = len(complete.read_text().splitlines())
    proc = run_cli("describe")
    assert proc.returncode == 0, proc.stderr
    void = Graph().parse(data=proc.stdout, format="turtle")
    dataset = URIRef("https://w3id.org/natoeu/dataset")
    asserted = URIRef("https://w3id.org/natoeu/dataset/asserted")
    # the dataset is what its void:dataDump (the N-Quads with entailments) holds; the subset
    # without entailments is what the plain N-Triples export holds
    assert int(void.value(dataset, VOID.triples)) == quads > exported
    assert int(void.value(asserted, VOID.triples)) == exported
    wikidata = URIRef("https://w3id.org/natoeu/dataset/linkset/wikidata")
    links = sum(1 for line in out.read_text().splitlines()
                if "owl#sameAs> <http://www.wikidata.org/entity/" in line)
    assert int(void.value(wikidata, VOID.triples)) == links > 0
    licence = void.value(dataset, URIRef("http://purl.org/dc/terms/license"))
    assert str(licence) == "https://creativecommons.org/licenses/by/4.0/"


def test_release_distributions_exist(tmp_path: Path) -> None:
    proc = run_cli("release", "-o", str(tmp_path / "rel"))
    assert proc.returncode == 0, proc.stderr
    void = Graph().parse(tmp_path / "rel" / "void.ttl", format="turtle")
    urls = list(void.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL")))
    assert len(urls) == 5
    for url in urls:
        f = tmp_path / "rel" / str(url).rsplit("/", 1)[1]
        size = void.value(url, URIRef("http://www.w3.org/ns/dcat#byteSize"))
        assert f.is_file() and f.stat().st_size == int(size)


def test_describe_is_deterministic(built: Built) -> None:
    a = describe(built).serialize(format="turtle")
    b = describe(built).serialize(format="turtle")
    assert hashlib.sha256(a.encode()).digest() == hashlib.sha256(b.encode()).digest()


def test_links_coverage() -> None:
    proc = run_cli("links")
    assert proc.returncode == 0
    line = next(li for li in proc.stdout.splitlines() if li.startswith("InternationalOrg"))
    assert "100%" in line


# --- external data in ------------------------------------------------------------------------

def test_join_through_sameas_with_external_extract() -> None:
    proc = run_cli("query", "wikidata-iso-codes", "--with", str(FIXTURE), "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    got = {(r["label"], r["alpha2"], r["agrees"]) for r in rows}
    assert ("Germany", "DE", "true") in got and ("United Kingdom", "GB", "true") in got
    assert len(rows) >= 10
    alone = run_cli("query", "wikidata-iso-codes", "-f", "csv")  # no extract: says it needs one
    assert alone.returncode == 2 and "--with" in alone.stderr and alone.stdout == ""


def test_with_a_directory(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(FIXTURE.read_text())
    proc = run_cli("query", "wikidata-iso-codes", "--with", str(tmp_path), "-f", "csv")
    assert proc.returncode == 0 and proc.stdout.count("\n") >= 11


HOSTILE = {
    "syntax.ttl": ("@prefix wd: <http://www.wikidata.org/entity/> .\nwd:Q1 wd:p .\n",
                   "syntax.ttl:2"),
    "remote-context.jsonld": ('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://x/a",'
                              ' "name": "x"}', "remote-context.jsonld: JSON-LD refused"),
    "file-context.jsonld": ('{"@context": "/etc/passwd", "@id": "http://x/a", "name": "x"}',
                            "file-context.jsonld: JSON-LD refused"),
    "dtd.rdf": ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaa">]>\n'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
                "dtd.rdf: RDF/XML with a DTD"),
    "bad-iri.ttl": ("<http://x/a b> <http://x/p> <http://x/o> .\n", "bad-iri.ttl:1: invalid IRI"),
    "ill-typed.ttl": ('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                      '<http://x/a> <http://x/d> "2016-13-45"^^xsd:date .\n',
                      "ill-typed.ttl:2: ill-typed literal"),
    "not-rdf.csv": ("a,b\n", "unknown RDF format"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_external_file_refused(tmp_path: Path, name: str) -> None:
    content, needle = HOSTILE[name]
    bad = tmp_path / name
    bad.write_text(content)
    out = tmp_path / "out.nt"
    out.write_bytes(b"earlier\n")
    for args in (("query", "wikidata-iso-codes"), ("export", "-f", "nt", "-o", str(out))):
        proc = run_cli(*args, "--with", str(FIXTURE), "--with", str(bad))
        assert proc.returncode == 3, proc.stderr
        assert needle in proc.stderr
        assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert out.read_bytes() == b"earlier\n"  # nothing merged, nothing written


def test_external_data_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "state.ttl"
    bad.write_text("@prefix natoeu: <https://w3id.org/natoeu/ontology#> .\n"
                   "<https://w3id.org/natoeu/id/XYZ> a natoeu:State .\n")
    proc = run_cli("query", "nato-members", "--with", str(bad))
    assert proc.returncode == 1
    assert "nothing was merged" in proc.stderr and "ne:XYZ" in proc.stderr


# --- federation ------------------------------------------------------------------------------

class _Endpoint(BaseHTTPRequestHandler):
    """A tiny real SPARQL endpoint over a two-triple graph, and a log of what reached it."""

    requests: ClassVar[list[str]] = []
    graph = Graph()
    graph.add((NE.FIN, URIRef("http://example.org/motto"), Literal("sisu")))

    def _query(self) -> str:
        if self.command == "GET":
            return parse_qs(urlparse(self.path).query).get("query", [""])[0]
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
            return raw
        return parse_qs(raw).get("query", [""])[0]

    def do_GET(self) -> None:
        query = self._query()
        self.requests.append(query)
        body = self.graph.query(query).serialize(format="json") or b""
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def endpoint() -> Iterator[str]:
    _Endpoint.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


def test_service_refused_by_default(endpoint: str) -> None:
    q = f"SELECT ?m WHERE {{ SERVICE <{endpoint}> {{ ?s <http://example.org/motto> ?m }} }}"
    proc = run_cli("sparql", q)
    assert proc.returncode == 2 and "is not allowed" in proc.stderr
    proc = run_cli("sparql", q, "--allow-service", "http://127.0.0.1:1/")
    assert proc.returncode == 2
    assert _Endpoint.requests == []


def test_service_allowed_for_listed_endpoint(endpoint: str) -> None:
    # full IRIs: rdflib 7.6 fails to parse SERVICE after a PREFIX declaration
    q = ("SELECT ?label ?m WHERE { "
         f"SERVICE <{endpoint}> {{ ?s <http://example.org/motto> ?m }} "
         "?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    proc = run_cli("sparql", q, "--allow-service", endpoint, "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == ["Finland,sisu"]
    assert len(_Endpoint.requests) >= 1
