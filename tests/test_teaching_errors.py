"""Errors and empty answers that teach: each one a message, a hint that fits it and an exit code,
from the real `natoeu` process; the server's errors name no command-line syntax."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from server_util import ANSWER_DEADLINE, LiveServer, start_server

from natoeu_graph.sparql.prefixes import standard_prefixes

JOINT = "SELECT ?s ?l WHERE { ?s a natoeu:JointDeclaration ; rdfs:label ?l } ORDER BY ?s"


def hint(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("hint: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_prefixes_command_lists_the_declared_prefixes() -> None:
    proc = run_cli("prefixes")
    assert proc.returncode == 0, proc.stderr
    listed = dict(line.removeprefix("PREFIX ").split(": ", 1) for line in proc.stdout.splitlines())
    assert {p: f"<{iri}>" for p, iri in standard_prefixes().items()} == listed
    turtle = run_cli("prefixes", "-f", "turtle").stdout
    from rdflib import Graph

    bound = dict(Graph().parse(data=turtle, format="turtle").namespaces())
    assert str(bound["natoeu"]) == "https://w3id.org/natoeu/ontology#"


def test_sparql_with_undeclared_standard_prefixes() -> None:
    proc = run_cli("sparql", JOINT, "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    declared = run_cli("prefixes").stdout + JOINT
    assert proc.stdout == run_cli("sparql", declared, "-f", "csv").stdout
    assert "https://w3id.org/natoeu/id/joint-declaration-2016" in proc.stdout
    oxigraph = run_cli("sparql", JOINT, "-f", "csv", "--store", "oxigraph")
    assert oxigraph.returncode == 0 and oxigraph.stdout == proc.stdout


def test_syntax_error_says_where_once_and_no_prefix_hint() -> None:
    proc = run_cli("sparql", "SELECT ?s WHERE { ?s ?p }")
    assert proc.returncode == 2
    assert proc.stderr.count("line 1") == 1 and "col:" not in proc.stderr
    assert "prefix" not in hint(proc.stderr).lower()
    proc = run_cli("sparql", "SELECT ?s WHERE { ?s a foo:Bar }")
    assert proc.returncode == 2 and "line 1, column 24: undeclared prefix 'foo:'" in proc.stderr
    assert "PREFIX foo:" in hint(proc.stderr)


def test_empty_answer_names_a_misspelt_ontology_term() -> None:
    typo = "SELECT ?s WHERE { ?s a natoeu:JointDeclarations ; natoeu:signature/natoeu:signatry ?x }"
    proc = run_cli("sparql", typo, "-f", "csv")
    assert proc.returncode == 0 and proc.stdout.splitlines() == ["s"]
    assert "natoeu:JointDeclarations is not a term of the ontology; did you mean " \
        "natoeu:JointDeclaration?" in proc.stderr
    assert "did you mean natoeu:signatory?" in proc.stderr
    fixed = run_cli("sparql", "SELECT ?s WHERE { ?s a natoeu:JointDeclaration }", "-f", "csv")
    assert len(fixed.stdout.splitlines()) > 1 and "note:" not in fixed.stderr


def test_entity_parameter_by_label() -> None:
    by_iri = run_cli("query", "sources", "-p", "entity=ne:SWE", "-f", "csv")
    assert by_iri.returncode == 0 and len(by_iri.stdout.splitlines()) > 1
    for label in ("Sweden", "sweden"):
        proc = run_cli("query", "sources", "-p", f"entity={label}", "-f", "csv")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == by_iri.stdout


def test_ambiguous_label_lists_the_candidates() -> None:
    # "Afghanistan" labels both the state and the place in the shipped graph
    proc = run_cli("query", "sources", "-p", "entity=Afghanistan")
    assert proc.returncode == 2
    assert "ne:AFG" in proc.stderr and "ne:place-afghanistan" in proc.stderr
    assert "entity=ne:" in hint(proc.stderr)


@pytest.mark.parametrize(("value", "near"), [("ne:nosuch", None), ("ne:SWD", "Sweden (ne:SWE)"),
                                             ("Swedn", "Sweden (ne:SWE)")])
def test_entity_naming_nothing(value: str, near: str | None) -> None:
    proc = run_cli("query", "sources", "-p", f"entity={value}")
    assert proc.returncode == 2, proc.stdout
    assert "names no entity in the graph" in proc.stderr and proc.stdout == ""
    if near:
        assert near in hint(proc.stderr)
    else:
        assert hint(proc.stderr)


def test_query_that_needs_external_data_says_so() -> None:
    proc = run_cli("query", "wikidata-iso-codes")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "needs external data merged with --with" in proc.stderr
    assert "--with FILE_OR_DIR" in hint(proc.stderr)
    listed = run_cli("queries").stdout
    assert re.search(r"^wikidata-iso-codes .*\[needs --with\]$", listed, re.M)
    assert listed.count("[needs --with]") == 1
    fixture = Path(__file__).parent / "fixtures" / "wikidata-iso-codes.ttl"
    proc = run_cli("query", "wikidata-iso-codes", "--with", str(fixture), "-f", "csv")
    assert proc.returncode == 0 and "https://w3id.org/natoeu/id/DNK" in proc.stdout


def test_missing_with_file(tmp_path: Path) -> None:
    proc = run_cli("query", "member-counts", "--with", "nope.ttl", cwd=tmp_path)
    assert proc.returncode == 3 and "nope.ttl: no such file or directory" in proc.stderr
    assert str(tmp_path) in hint(proc.stderr)
    (tmp_path / "empty").mkdir()
    proc = run_cli("query", "member-counts", "--with", "empty", cwd=tmp_path)
    assert proc.returncode == 3 and "without RDF files" in proc.stderr and ".ttl" in hint(
        proc.stderr)


def test_frame_without_jsonld() -> None:
    proc = run_cli("export", "--frame", "declaration")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "-f jsonld" in hint(proc.stderr)


def test_missing_graphviz_is_not_an_internal_error(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = run_cli("docs", "-o", str(tmp_path / "docs"), env={"PATH": str(empty)})
    assert proc.returncode == 3, proc.stderr
    assert "internal error" not in proc.stderr
    assert "apt-get install graphviz" in hint(proc.stderr) and "brew" in hint(proc.stderr)


# ---- the server: the same prefixes, and errors without command-line syntax -----------------

@pytest.fixture(scope="module")
def live(built: Any) -> Iterator[LiveServer]:
    yield from start_server(timeout=ANSWER_DEADLINE)


def test_server_declares_the_prefixes(live: LiveServer) -> None:
    status, _, body = live.request("/sparql?query=" + urllib.parse.quote(JOINT),
                                   headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    rows = json.loads(body)["results"]["bindings"]
    assert "https://w3id.org/natoeu/id/joint-declaration-2016" in {r["s"]["value"] for r in rows}


@pytest.mark.parametrize(("path", "code"), [
    ("/queries/member-counts?date=2018-13-45", "bad_parameter"),
    ("/queries/member-counts?colour=blue", "bad_parameter"),
    ("/queries/sources?entity=Swedn", "bad_parameter"),
    ("/queries/no-such-query", "unknown_query"),
    ("/sparql?query=" + urllib.parse.quote("SELECT ?s WHERE { ?s ?p }"), "malformed_query"),
    ("/sparql?query=" + urllib.parse.quote("SELECT ?s WHERE { ?s a foo:Bar }"),
     "malformed_query"),
])
def test_web_errors_show_no_command_line_syntax(live: LiveServer, path: str, code: str) -> None:
    status, _, body = live.request(path, headers={"Accept": "application/json"})
    assert 400 <= status < 500
    doc = json.loads(body)
    assert doc["error"] == code
    message = doc["message"]
    assert "--" not in message and "natoeu " not in message and "-p " not in message, message


def test_server_takes_an_entity_by_label_and_suggests_near_ones(live: LiveServer) -> None:
    status, _, body = live.request("/queries/sources?entity=Sweden",
                                   headers={"Accept": "text/csv"})
    assert status == 200, body
    by_iri = live.request("/queries/sources?entity=ne:SWE", headers={"Accept": "text/csv"})
    assert by_iri[0] == 200 and body == by_iri[2]
    assert body.count(b"https://w3id.org/natoeu/id/SWE") > 1
    status, _, body = live.request("/queries/sources?entity=Swedn",
                                   headers={"Accept": "application/json"})
    assert status == 400
    assert "Did you mean: Sweden (ne:SWE)?" in json.loads(body)["message"]
