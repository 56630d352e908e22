"""DCAT-AP 3.0.1: the dataset description (`natoeu describe`, and the void.ttl that
`natoeu release` writes) against SEMIC's SHACL shapes, kept in tests/fixtures/dcat-ap-3.0.1.

Mandatory and range shapes: no violation at all. Recommended shapes: the warnings left are
listed exactly, each with the reason it cannot be filled honestly, so the list cannot grow
unnoticed (and shrinks only on purpose).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli
from pyshacl import validate
from rdflib import Graph, Namespace

import natoeu_graph.pipeline.validate  # noqa: F401  (pyshacl then leaves literals as written)

SHAPES = Path(__file__).parent.parent / "fixtures" / "dcat-ap-3.0.1"
SH = Namespace("http://www.w3.org/ns/shacl#")
RELEASE_FILE = re.compile(r"^https://w3id\.org/natoeu/release/[^/]+/")

MANDATORY = "dcat-ap-3.0.1-shapes.ttl"
RANGE = "dcat-ap-3.0.1-range.ttl"
RECOMMENDED = "dcat-ap-3.0.1-shapes_recommended.ttl"

DUMPS = ("natoeu.ttl", "natoeu.nt", "natoeu.jsonld", "natoeu-inferred.trig",
         "natoeu-inferred.nq")
AVAILABILITY = "http://data.europa.eu/r5r/availability"
# (focus node, property) of every recommended warning left, and why it stays:
EXPECTED_WARNINGS = {
    # the graph has no single geographic coverage: member states on two continents, and
    # operations, missions and incidents well outside them
    ("https://w3id.org/natoeu/dataset", "http://purl.org/dc/terms/spatial"),
    # no ADMS publisher type fits a group of project developers
    ("https://w3id.org/natoeu/id/natoeu-graph-developers", "http://purl.org/dc/terms/type"),
    # nobody has committed to how long the release files and the endpoint stay online
    ("https://w3id.org/natoeu/dataset/distribution/sparql", AVAILABILITY),
    *((f"release/{name}", AVAILABILITY) for name in DUMPS),
}


@pytest.fixture(scope="module")
def descriptions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph]:
    proc = run_cli("describe")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path_factory.mktemp("release")
    rel = run_cli("release", "-o", str(out))
    assert rel.returncode == 0, rel.stderr
    return {"describe": Graph().parse(data=proc.stdout, format="turtle"),
            "release": Graph().parse(out / "void.ttl", format="turtle")}


def _results(data: Graph, shapes: str) -> list[tuple[str, str, str]]:
    """(severity, focus node, path) of every result, release-file IRIs without the version."""
    _, report, _ = validate(data, shacl_graph=Graph().parse(SHAPES / shapes, format="turtle"),
                            inference="none", allow_warnings=True)
    out = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        focus = RELEASE_FILE.sub("release/", str(report.value(result, SH.focusNode)))
        out.append((severity, focus, str(report.value(result, SH.resultPath))))
    return sorted(out)


@pytest.mark.parametrize("source", ["describe", "release"])
@pytest.mark.parametrize("shapes", [MANDATORY, RANGE])
def test_no_violation(descriptions: dict[str, Graph], source: str, shapes: str) -> None:
    assert _results(descriptions[source], shapes) == []


@pytest.mark.parametrize("source", ["describe", "release"])
def test_recommended_warnings_left(descriptions: dict[str, Graph], source: str) -> None:
    results = _results(descriptions[source], RECOMMENDED)
    assert {severity for severity, _, _ in results} == {"Warning"}
    got = {(focus, path) for _, focus, path in results}
    assert len(got) == len(results)  # one warning per (node, property)
    assert got == EXPECTED_WARNINGS


def test_shapes_are_not_vacuous() -> None:
    """The same shapes do find what the description used to lack (guards a broken copy)."""
    bare = Graph().parse(data="""
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix dct: <http://purl.org/dc/terms/> .
        <http://example.org/d> a dcat:Dataset ; dct:title "d"@en ; dct:description "d"@en ;
            dcat:distribution <http://example.org/f> ;
            dct:publisher <http://example.org/p> .
        <http://example.org/f> a dcat:Distribution ;
            dcat:mediaType <https://www.iana.org/assignments/media-types/text/turtle> .
        <http://example.org/s> a dcat:DataService ;
            dcat:endpointURL <http://example.org/sparql> .
        """, format="turtle")
    assert {(f, p.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
            for _, f, p in _results(bare, MANDATORY)} == {
        ("http://example.org/f", "accessURL"), ("http://example.org/s", "title")}
    assert {p.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for _, _, p in _results(bare, RANGE)} == {
        "mediaType", "publisher"}
