"""The natoeu command as a real process: outputs, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph


def test_queries_lists_names_and_summaries() -> None:
    proc = run_cli("queries")
    assert proc.returncode == 0
    assert re.search(r"^shared-members\s+States that are members of both", proc.stdout, re.M)
    assert "date=today" in proc.stdout


def test_shared_members_csv_2018(tmp_path: Path) -> None:
    proc = run_cli("query", "shared-members", "--param", "date=2018-07-01", "--format", "csv",
                   cwd=tmp_path)  # any directory: resources ship with the package
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 22


def test_json_is_sparql_results_json() -> None:
    proc = run_cli("query", "member-counts", "-p", "date=2018-07-01", "-f", "json")
    doc = json.loads(proc.stdout)
    assert doc["head"]["vars"] == ["date", "nato", "eu", "shared"]
    (row,) = doc["results"]["bindings"]
    assert row["shared"] == {"type": "literal", "value": "22",
                             "datatype": "http://www.w3.org/2001/XMLSchema#integer"}


def test_tsv_and_table() -> None:
    tsv = run_cli("query", "member-counts", "-p", "date=2018-07-01", "-f", "tsv").stdout
    assert tsv.splitlines()[0] == "?date\t?nato\t?eu\t?shared"
    table = run_cli("query", "member-counts", "-p", "date=2018-07-01").stdout
    assert "(1 row)" in table


def test_sparql_select_ask_construct() -> None:
    q = ("PREFIX org: <http://www.w3.org/ns/org#> PREFIX ne: <https://w3id.org/natoeu/id/> "
         "SELECT (COUNT(*) AS ?n) WHERE { ?m org:organization ne:NATO }")
    assert run_cli("sparql", q, "-f", "csv").stdout.splitlines()[1] == "32"
    ask = "ASK { <https://w3id.org/natoeu/id/FIN> ?p ?o }"
    assert run_cli("sparql", ask).stdout.strip() == "true"
    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o "
                 "FILTER(?s = <https://w3id.org/natoeu/id/FIN>) }")
    proc = run_cli("sparql", construct, "-f", "nt")
    assert len(Graph().parse(data=proc.stdout, format="nt")) > 3


def test_sparql_from_file(tmp_path: Path) -> None:
    f = tmp_path / "q.rq"
    f.write_text("SELECT ?s WHERE { ?s a <https://w3id.org/natoeu/ontology#Summit> } ORDER BY ?s")
    proc = run_cli("sparql", "--file", str(f), "-f", "csv")
    # a header and the 7 summits (2016 Warsaw, 2018 Brussels ... 2025 The Hague)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 1 + 7


@pytest.mark.parametrize(("args", "needle"), [
    (("query", "no-such-query"), "unknown query 'no-such-query'"),
    (("query", "shared-members", "-p", "date=2018-13-45"), "is not a date"),
    (("query", "shared-members", "-p", "date"), "is not KEY=VALUE"),
    (("query", "shared-members", "-p", "colour=blue"), "has no parameter colour"),
    (("query", "post-holder", "-p", "post=not an iri"), "is not an IRI"),
    (("sparql", "SELECT ?s WHERE { ?s ?p }"), "SPARQL syntax error at line 1"),
    (("sparql", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"), "FROM"),
    (("sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), "SERVICE"),
    (("sparql",), "give the query text"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], needle: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ")


def test_missing_query_file_exit_3(tmp_path: Path) -> None:
    proc = run_cli("sparql", "--file", str(tmp_path / "nope.rq"))
    assert proc.returncode == 3 and "nope.rq" in proc.stderr


def test_syntax_error_in_data_names_file_and_line(project_copy: Path, tmp_path: Path) -> None:
    target = project_copy / "data" / "places.ttl"
    lines = target.read_text(encoding="utf-8").splitlines()
    lineno = next(i for i, line in enumerate(lines, 1) if line.startswith("ne:place-warsaw"))
    lines[lineno - 1] = lines[lineno - 1].replace(" a ", " a a ")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "earlier.nt"
    out.write_bytes(b"earlier export\n")
    for args in (("check",), ("export", "-f", "nt", "-o", str(out))):
        proc = run_cli("--home", str(project_copy), *args)
        assert proc.returncode == 3, proc.stderr
        assert f"data/places.ttl:{lineno}: Turtle syntax error" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert out.read_bytes() == b"earlier export\n"


def test_membership_without_start_date_fails_check(project_copy: Path, tmp_path: Path) -> None:
    target = project_copy / "data" / "memberships.ttl"
    text = target.read_text(encoding="utf-8")
    start = text.index("ne:membership-fin-nato a")
    end = text.index("\n\n", start)
    block = re.sub(r'time:hasBeginning \[[^\]]*\] ;?', "", text[start:end])
    block = re.sub(r";(\s*)\]", r"\1]", block)  # a ';' left right before the interval's end
    target.write_text(text[:start] + block + text[end:], encoding="utf-8")
    out = tmp_path / "earlier.nt"
    out.write_bytes(b"earlier export\n")
    proc = run_cli("--home", str(project_copy), "check")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ne:membership-fin-nato" in proc.stderr
    assert "data/memberships.ttl" in proc.stderr
    assert "start date" in proc.stderr
    proc = run_cli("--home", str(project_copy), "export", "-f", "nt", "-o", str(out))
    assert proc.returncode == 1
    assert out.read_bytes() == b"earlier export\n"
    proc = run_cli("--home", str(project_copy), "query", "shared-members")
    assert proc.returncode == 1 and "does not conform" in proc.stderr
    proc = run_cli("--home", str(project_copy), "query", "shared-members", "--no-validate",
                   "-p", "date=2024-01-01", "-f", "csv")
    # 22 shared members on that day, less Finland, whose NATO membership lost its start
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 1 + 21


def test_validate_text_and_turtle() -> None:
    proc = run_cli("validate")
    assert proc.returncode == 0 and proc.stdout.startswith("Conforms")
    proc = run_cli("validate", "--format", "turtle")
    report = Graph().parse(data=proc.stdout, format="turtle")
    assert len(report) > 0


def test_check_passes_on_shipped_graph() -> None:
    proc = run_cli("check")
    assert proc.returncode == 0, proc.stderr
    assert "ok   check interop-contract" in proc.stdout
    assert "ok   query shared-members" in proc.stdout
    # a query that needs --with data is parsed, not run (`natoeu query` refuses it without)
    assert "ok   query wikidata-iso-codes (parses; it runs with --with data)" in proc.stdout


def test_check_fails_on_an_external_query_that_does_not_parse(project_copy: Path) -> None:
    target = project_copy / "queries" / "wikidata-iso-codes.rq"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("ORDER BY ?label", "ORDER BY ?label }"), encoding="utf-8")
    for args in (("check",), ("--no-cache", "check")):
        proc = run_cli("--home", str(project_copy), *args)
        assert proc.returncode != 0 and "wikidata-iso-codes.rq" in proc.stderr, proc.stderr


def test_help_has_examples() -> None:
    for cmd in ("queries", "query", "sparql", "validate", "export", "check"):
        proc = run_cli(cmd, "--help")
        assert proc.returncode == 0 and "Example:" in proc.stdout, cmd


def test_bad_environment_is_a_usage_error_with_a_hint(tmp_path: Path) -> None:
    proc = run_cli("query", "member-counts", env={"NATOEU_HOME": str(tmp_path / "nowhere")})
    assert proc.returncode == 2 and "not a natoeu project tree" in proc.stderr
    assert "hint:" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("--no-cache", "query", "member-counts",
                   env={"NATOEU_REASONING_TIMEOUT": "abc", "NATOEU_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 2 and "NATOEU_REASONING_TIMEOUT='abc'" in proc.stderr
    assert "hint:" in proc.stderr
