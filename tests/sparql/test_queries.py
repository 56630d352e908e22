"""Every canned query's rows, compared as parsed rows with tests/expected/, plus key answers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from query_cases import CASES, EXTERNAL, case_file
from rdflib import Graph, URIRef

from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs.labels import label
from natoeu_graph.pipeline.parse_external import parse_external
from natoeu_graph.sparql.queries import get_query, list_queries, run_canned
from natoeu_graph.sparql.results import to_csv

EXPECTED = Path(__file__).parent.parent / "expected"


def rows(res: Resources, graph: Graph, name: str, **params: str) -> list[dict[str, str]]:
    result = run_canned(graph, get_query(res.queries_dir, name), params)
    return list(csv.DictReader(io.StringIO(to_csv(result))))


def test_every_canned_query_has_an_expected_case(res: Resources) -> None:
    covered = {name for name, _ in CASES}
    assert {q.name for q in list_queries(res.queries_dir)} <= covered


@pytest.mark.parametrize(("name", "params"), CASES, ids=[case_file(n, p) for n, p in CASES])
def test_expected_rows(res: Resources, graph: Graph, name: str, params: dict[str, str]) -> None:
    if name in EXTERNAL:
        graph = graph + parse_external([str(EXTERNAL[name])])
    expected = list(csv.DictReader(io.StringIO(
        (EXPECTED / case_file(name, params)).read_text(encoding="utf-8"))))
    assert rows(res, graph, name, **params) == expected


def test_shared_members_2018_is_22(res: Resources, graph: Graph) -> None:
    states = {r["label"] for r in rows(res, graph, "shared-members", date="2018-07-01")}
    assert len(states) == 22
    assert "United Kingdom" in states and "Finland" not in states


def test_shared_members_today_is_23(res: Resources, graph: Graph) -> None:
    states = {r["label"] for r in rows(res, graph, "shared-members",
                                       date=dt.date.today().isoformat())}
    assert len(states) == 23
    assert {"Finland", "Sweden"} <= states and "United Kingdom" not in states


def test_default_date_is_today(res: Resources, graph: Graph) -> None:
    assert rows(res, graph, "member-counts") == rows(
        res, graph, "member-counts", date=dt.date.today().isoformat())


@pytest.mark.parametrize(("date", "nato", "eu", "shared"), [
    ("2018-07-01", "29", "28", "22"),
    ("2020-01-31", "29", "28", "22"),  # the UK's last day in the EU
    ("2020-02-01", "29", "27", "21"),
    ("2020-03-27", "30", "27", "21"),
    ("2023-04-04", "31", "27", "22"),
    ("2024-03-07", "32", "27", "23"),
])
def test_member_counts_over_time(res: Resources, graph: Graph, date: str, nato: str, eu: str,
                                 shared: str) -> None:
    (row,) = rows(res, graph, "member-counts", date=date)
    assert (row["nato"], row["eu"], row["shared"]) == (nato, eu, shared)


def test_secretary_general_on_warsaw_declaration_day(res: Resources, graph: Graph) -> None:
    (row,) = rows(res, graph, "post-holder", date="2016-07-08")
    assert row["name"] == "Jens Stoltenberg"
    (row,) = rows(res, graph, "post-holder", date="2024-10-01")
    assert row["name"] == "Mark Rutte"


def test_declaration_signatories_and_capacities(res: Resources, graph: Graph) -> None:
    got = {(r["date"], r["name"], r["postLabel"]) for r in rows(res, graph, "joint-declarations")}
    assert ("2016-07-08", "Donald Tusk", "President of the European Council") in got
    assert ("2023-01-10", "Ursula von der Leyen", "President of the European Commission") in got
    assert len({r[0] for r in got}) == 3 and len(got) == 9


def test_december_2017_added_new_areas(res: Resources, graph: Graph) -> None:
    added = {r["areaLabel"] for r in rows(res, graph, "measure-package-areas")
             if r["date"] == "2017-12-05" and r["newInPackage"] == "true"}
    assert {"Military mobility", "Counter-terrorism", "Women, peace and security"} <= added
    totals = {r["date"]: r["runningTotal"] for r in rows(res, graph, "measure-packages")}
    assert totals == {"2016-12-06": "42", "2017-12-05": "74"}


def test_sea_guardian_supported_sophia_until_2020(res: Resources, graph: Graph) -> None:
    then = rows(res, graph, "operation-links", date="2018-07-01")
    now = rows(res, graph, "operation-links", date="2026-11-25")
    key = ("Operation Sea Guardian", "supports", "Operation Sophia")
    assert [r["activeOnDate"] for r in then
            if (r["fromLabel"], r["relationType"], r["toLabel"]) == key] == ["true"]
    assert [r["activeOnDate"] for r in now
            if (r["fromLabel"], r["relationType"], r["toLabel"]) == key] == ["false"]


def test_althea_under_berlin_plus_at_shape(res: Resources, graph: Graph) -> None:
    (althea,) = [r for r in rows(res, graph, "operations") if r["label"] == "EUFOR Althea"]
    assert althea["arrangement"].endswith("/berlin-plus")
    assert althea["headquarters"].endswith("/SHAPE")
    assert althea["commander"].endswith("/post-dsaceur")
    # the commander is named, not only given as an IRI: its English label in the graph
    assert althea["commanderLabel"] == label(graph, URIRef(althea["commander"]))
    assert "Deputy Supreme Allied Commander" in althea["commanderLabel"]


def test_factsheet_changes(res: Resources, graph: Graph) -> None:
    got = {(r["id"], r["aspect"]): (r["thenValue"], r["nowValue"])
           for r in rows(res, graph, "factsheet-changes", now="2026-11-25")}
    assert got[("S03", "states in both NATO and the EU")] == ("22", "23")
    assert got[("S10", "NATO Secretary General")] == ("Jens Stoltenberg", "Mark Rutte")
    assert got[("S54", "Operation Sophia")] == ("active", "ended or not begun")


def test_unknown_query_and_bad_parameters(res: Resources, graph: Graph) -> None:
    with pytest.raises(UsageError, match="unknown query"):
        get_query(res.queries_dir, "no-such-query")
    q = get_query(res.queries_dir, "shared-members")
    for bad in ({"date": "2018-13-45"}, {"date": "yesterday"}, {"colour": "blue"}):
        with pytest.raises(UsageError):
            run_canned(graph, q, bad)
