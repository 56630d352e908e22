"""Offline reconciliation with Wikidata (natoeu_graph.qa.reconcile).

About the fixtures: tests/fixtures/wikidata-reconcile.json and .ttl are HAND-WRITTEN in
Wikidata's shapes (the JSON as the Wikidata Query Service returns wikidata_query()'s result, the
Turtle as Wikidata's RDF dump reifies statements), NOT downloaded: no test uses the network. They
hold a small extract with planted agreements and disagreements against data/*.ttl:

- agree: Finland in NATO from 2023-04-04, Sweden in NATO from 2024-03-07, Germany in the EU from
  1958-01-01, Mark Rutte as NATO Secretary General from 2024-10-01 (all open);
- differs: North Macedonia's NATO start a day late (2020-03-28), the UK's EU end on the first
  day out (2020-02-01) where the graph has the last day in (2020-01-31);
- missing in Wikidata: Belgium in NATO without a start qualifier; Finland in the EU left out
  (as is every other linked fact of the graph that the extract does not cover);
- missing here: Ireland in the EU with a made-up end (2031-12-31); a made-up P463 of Ukraine
  (a partner country in the graph) to NATO.

The Turtle also has a deprecated statement, which must be skipped. If a curator changes one of
those facts in data/, the planted expectations below name it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parser import parseQuery

from natoeu_graph.core.errors import InputError
from natoeu_graph.core.namespaces import NE, PREFIXES, new_graph
from natoeu_graph.pipeline.parse import parse_turtle
from natoeu_graph.qa import reconcile as rec
from natoeu_graph.qa.reconcile import (
    AGREE,
    DIFFERS,
    MISSING_HERE,
    MISSING_IN_WIKIDATA,
    UNKNOWN,
    Row,
    Statement,
    differences,
    read_results,
    reconcile,
    wikidata_query,
)
from natoeu_graph.sparql.results import to_json

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
JSON_FIXTURE = FIXTURES / "wikidata-reconcile.json"
TTL_FIXTURE = FIXTURES / "wikidata-reconcile.ttl"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())

# The non-agree rows planted in the fixture, as (fact, field, status, ours, theirs); the
# "missing in Wikidata" rows of whole facts are checked apart (they depend on the graph's size).
PLANTED = {
    (NE["membership-bel-nato"], "start", MISSING_IN_WIKIDATA, "1949-04-04", None),
    (NE["membership-mkd-nato"], "start", DIFFERS, "2020-03-27", "2020-03-28"),
    (NE["membership-gbr-eu"], "end", DIFFERS, "2020-01-31", "2020-02-01"),
    (NE["membership-irl-eu"], "end", MISSING_HERE, None, "2031-12-31"),
    (None, "fact", MISSING_HERE, None, "../.."),  # Ukraine in NATO
}
AGREEING = [NE["membership-fin-nato"], NE["membership-swe-nato"], NE["membership-deu-eu"],
            NE["tenure-mark-rutte-nato-sg"]]

# The graph's linked facts, found independently of the module under test.
LINKED_FACTS = """
SELECT ?fact ?s ?o WHERE {
  { ?fact org:member ?x ; org:organization ?y . }
  UNION
  { ?fact a natoeu:Tenure ; natoeu:holder ?x ; natoeu:post ?y . }
  ?x owl:sameAs ?s . ?y owl:sameAs ?o .
  FILTER(STRSTARTS(STR(?s), STR(wd:Q)) && STRSTARTS(STR(?o), STR(wd:Q)))
}"""


def _linked_facts(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef]]:
    result: Any = graph.query(LINKED_FACTS, initNs=PREFIXES)
    return [(row.fact, row.s, row.o) for row in result]


@pytest.fixture(scope="module")
def statements() -> list[Statement]:
    return read_results(JSON_FIXTURE)


@pytest.fixture(scope="module")
def rows(graph: Graph, statements: list[Statement]) -> list[Row]:
    return reconcile(graph, statements)


def _planted_view(rows: list[Row]) -> set[tuple]:
    return {(r.fact, r.field, r.status, r.ours, r.theirs) for r in rows
            if r.status != AGREE and not (r.field == "fact" and r.status == MISSING_IN_WIKIDATA)}


# ---- the query -------------------------------------------------------------------------------


def test_the_query_is_valid_sparql_with_its_own_prefixes(graph: Graph) -> None:
    text = wikidata_query(graph)
    parseQuery(text)
    prepareQuery(text)  # no initNs: every prefix is declared in the text
    for prefix in ("wd", "wdt", "p", "ps", "pq"):
        assert re.search(rf"^PREFIX {prefix}: <http://www\.wikidata\.org/", text, re.M)
    assert "SELECT ?subject ?property ?object ?start ?end" in text


def test_the_query_names_the_linked_items_and_no_others(graph: Graph) -> None:
    text = wikidata_query(graph)
    named = set(re.findall(r"\bwd:(Q\d+)\b", text))
    linked = {str(item)[len(WD):] for _, s, o in _linked_facts(graph) for item in (s, o)}
    assert linked <= named
    assert {"Q7184", "Q458", "Q33", "Q34", "Q57792", "Q167662"} <= named
    assert "Q212" in named  # Ukraine: a linked partner country, so a P463 of it is seen
    # linked, but neither a state, an organisation with members, a person nor a post
    assert not {"Q270", "Q8880", "Q4918"} & named


def test_the_query_is_deterministic_and_parses_for_an_empty_graph(graph: Graph) -> None:
    assert wikidata_query(graph) == wikidata_query(graph)
    prepareQuery(wikidata_query(new_graph()))


def test_the_query_run_over_the_turtle_fixture_gives_the_json_fixture(
        graph: Graph, statements: list[Statement], tmp_path: Path) -> None:
    """The query's semantics, checked on a Wikidata-shaped graph: rdflib in place of WDQS."""
    dump = parse_turtle(TTL_FIXTURE)
    saved = tmp_path / "answer.json"
    saved.write_text(to_json(dump.query(wikidata_query(graph))), encoding="utf-8")
    assert read_results(saved) == statements


# ---- reading ---------------------------------------------------------------------------------


def test_the_fixture_reads_as_statements(statements: list[Statement]) -> None:
    fin = Statement(URIRef(WD + "Q33"), "P463", URIRef(WD + "Q7184"), "2023-04-04", None)
    gbr = Statement(URIRef(WD + "Q145"), "P463", URIRef(WD + "Q458"), "1973-01-01",
                    "2020-02-01")
    assert fin in statements and gbr in statements
    assert len(statements) == len(json.loads(JSON_FIXTURE.read_text())["results"]["bindings"])


def test_turtle_and_json_fixtures_hold_the_same_statements(statements: list[Statement]) -> None:
    # the deprecated Sweden statement (start 2024-03-11) is skipped
    assert read_results(TTL_FIXTURE) == statements


def test_an_unknown_value_date_reads_as_unknown(tmp_path: Path) -> None:
    path = _json(tmp_path, [_binding(end={"type": "bnode", "value": "t1"}),
                            _binding("Q34", end={"type": "uri", "value":
                                     "http://www.wikidata.org/.well-known/genid/abc"})])
    assert [s.end for s in read_results(path)] == [UNKNOWN, UNKNOWN]


def _binding(subject: object = "Q33", prop: object = "P463", **extra: object) -> dict:
    out = {
        "subject": {"type": "uri", "value": WD + subject} if isinstance(subject, str)
        else subject,
        "property": {"type": "uri", "value": WDT + prop} if isinstance(prop, str) else prop,
        "object": {"type": "uri", "value": WD + "Q7184"},
    }
    out.update(extra)
    return out


def _json(tmp_path: Path, bindings: list) -> Path:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({"head": {"vars": []}, "results": {"bindings": bindings}}))
    return path


DATE = {"type": "literal", "value": "2023-04-04T00:00:00Z",
        "datatype": "http://www.w3.org/2001/XMLSchema#dateTime"}
TTL_HEAD = ("@prefix wd: <http://www.wikidata.org/entity/> .\n"
            "@prefix p: <http://www.wikidata.org/prop/> .\n"
            "@prefix ps: <http://www.wikidata.org/prop/statement/> .\n"
            "@prefix pq: <http://www.wikidata.org/prop/qualifier/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")

BAD = [
    ("answer.json", "not json at all", "invalid JSON", 1),
    ("answer.json", '{"head": {}, "boolean": true}', "no results.bindings list", None),
    ("answer.json", '{"head": {}, "results": {"bindings": {}}}', "no results.bindings list",
     None),
    ("answer.json", "[1, 2]", "no results.bindings list", None),
    ("answer.json", {"bindings": ["Q33"]}, "result 1 of 1 is not an object", None),
    ("answer.json", {"bindings": [_binding({"type": "literal", "value": "Finland"})]},
     "result 1 of 1: ?subject must be a Wikidata item IRI (http://www.wikidata.org/entity/Q...),"
     " got literal 'Finland'", None),
    ("answer.json", {"bindings": [_binding({"type": "uri", "value": str(NE.FIN)})]},
     "?subject must be a Wikidata item IRI", None),
    ("answer.json", {"bindings": [{k: v for k, v in _binding().items() if k != "subject"}]},
     "?subject is not bound", None),
    ("answer.json", {"bindings": [_binding(subject={"type": "uri"})]},
     "?subject is not a SPARQL JSON term", None),
    ("answer.json", {"bindings": [_binding(prop="P31")]},
     "?property must be Wikidata's P463 or P39, got uri", None),
    ("answer.json", {"bindings": [_binding(start={"type": "literal", "value": "yesterday"})]},
     "?start must be an xsd:dateTime or xsd:date literal, got literal 'yesterday'", None),
    ("answer.json", {"bindings": [_binding(end={**DATE, "datatype": None})]},
     "?end must be an xsd:dateTime or xsd:date literal", None),
    ("answer.json", {"bindings": [_binding(), _binding(object={"type": "uri", "value": "x"})]},
     "result 2 of 2: ?object must be a Wikidata item IRI", None),
    ("answer.csv", "subject,property\n", "unknown result format '.csv'", None),
    ("answer.ttl", TTL_HEAD + "wd:Q33 p:P463 wd:Q1 .\nwd:Q34 p:P463 ;", "Turtle syntax error", 7),
    ("answer.ttl", TTL_HEAD + 'wd:Q33 rdfs:label "Finland" .', "no P463 or P39 statements found",
     None),
    ("answer.ttl", TTL_HEAD + "wd:Q33 p:P463 [ pq:P580 1 ] .",
     "must have exactly one ps:P463 value, a Wikidata item IRI; found none", None),
    ("answer.ttl", TTL_HEAD + "<http://example.org/x> ps:P463 wd:Q7184 .",
     "has ps:P463 but no item points to it with p:P463", None),
    ("answer.ttl", TTL_HEAD + 'wd:Q33 p:P463 [ ps:P463 wd:Q7184 ; pq:P580 "soon" ] .',
     "pq:P580 must be an xsd:dateTime or xsd:date literal", None),
    ("answer.ttl", TTL_HEAD + "<http://example.org/FIN> p:P39 [ ps:P39 wd:Q7184 ] .",
     "p:P39 on <http://example.org/FIN>: the subject must be a Wikidata item IRI", None),
]


@pytest.mark.parametrize(("name", "content", "message", "line"), BAD,
                         ids=[f"{b[0]}-{b[2][:30]}" for b in BAD])
def test_bad_input_raises_input_error_saying_what_is_wrong(
        tmp_path: Path, name: str, content: object, message: str, line: int | None) -> None:
    path = tmp_path / name
    if isinstance(content, dict):
        content = json.dumps({"head": {"vars": []}, "results": content})
    path.write_text(str(content), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_results(path)
    assert message in info.value.reason
    assert info.value.path == str(path)
    assert info.value.line == line
    assert str(info.value).startswith(str(path))


def test_unreadable_oversized_and_non_utf8_files_raise_input_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        read_results(tmp_path / "absent.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(InputError, match="not UTF-8"):
        read_results(binary)
    monkeypatch.setattr(rec, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"too large \(\d+ bytes; limit 100\)"):
        read_results(JSON_FIXTURE)


# ---- reconciling -----------------------------------------------------------------------------


def test_the_fixture_gives_exactly_the_planted_differences(rows: list[Row]) -> None:
    assert _planted_view(rows) == PLANTED
    ukraine = [r for r in rows if r.fact is None]
    assert [(r.what, r.statement) for r in ukraine] == [
        ("Ukraine member of NATO", "wd:Q212 P463 wd:Q7184")]


def test_facts_without_a_statement_are_missing_in_wikidata(
        graph: Graph, rows: list[Row], statements: list[Statement]) -> None:
    covered = {(s.subject, s.object) for s in statements}
    expected = {fact for fact, s, o in _linked_facts(graph) if (s, o) not in covered}
    missing = {r.fact for r in rows if r.field == "fact" and r.status == MISSING_IN_WIKIDATA}
    assert missing == expected
    fin_eu = [r for r in rows if r.fact == NE["membership-fin-eu"]]
    assert [(r.field, r.status, r.ours, r.theirs) for r in fin_eu] == [
        ("fact", MISSING_IN_WIKIDATA, "1995-01-01/..", None)]


def test_the_planted_agreements_agree(rows: list[Row]) -> None:
    for fact in AGREEING:
        found = [(r.field, r.status) for r in rows if r.fact == fact]
        assert found == [("start", AGREE), ("end", AGREE)], fact
    rutte = next(r for r in rows if r.fact == NE["tenure-mark-rutte-nato-sg"])
    assert (rutte.what, rutte.ours, rutte.theirs) == (
        "Mark Rutte as NATO Secretary General", "2024-10-01", "2024-10-01")


def test_differences(rows: list[Row]) -> None:
    assert differences(rows)
    assert not differences(r for r in rows if r.status == AGREE)
    assert not differences([])


def test_output_is_deterministic(graph: Graph, statements: list[Statement],
                                 rows: list[Row]) -> None:
    assert reconcile(graph, list(reversed(statements))) == rows
    assert rows == sorted(rows, key=lambda r: (r.what, r.statement, str(r.fact or ""),
                                               ("fact", "start", "end").index(r.field),
                                               r.ours or "", r.theirs or "", r.status))


def test_output_is_the_same_across_hash_seeds() -> None:
    code = ("from pathlib import Path\n"
            "from natoeu_graph.core.resources import locate\n"
            "from natoeu_graph.pipeline.build import build\n"
            "from natoeu_graph.qa.reconcile import read_results, reconcile, wikidata_query\n"
            "g = build(locate()).merged()\n"
            f"s = read_results(Path({str(JSON_FIXTURE)!r}))\n"
            "print(wikidata_query(g))\n"
            "print(*reconcile(g, s), sep='\\n')\n")
    outputs = []
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300,
                              check=True)
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] and "membership-mkd-nato" in outputs[0]


SMALL = HEADER + """
ne:alice a natoeu:Person ; rdfs:label "Alice"@en ; owl:sameAs wd:Q1 .
ne:post-chair a natoeu:Post ; rdfs:label "Chair"@en ; owl:sameAs wd:Q2 .
ne:first a natoeu:Tenure ; natoeu:holder ne:alice ; natoeu:post ne:post-chair ;
    natoeu:during [ time:hasBeginning [ time:inXSDDate "2001-01-01"^^xsd:date ] ;
                    time:hasEnd [ time:inXSDDate "2004-12-31"^^xsd:date ] ] .
ne:second a natoeu:Tenure ; natoeu:holder ne:alice ; natoeu:post ne:post-chair ;
    natoeu:during [ time:hasBeginning [ time:inXSDDate "2010-06-01"^^xsd:date ] ] .
ne:XYZ a natoeu:State ; rdfs:label "Xyzland"@en ; owl:sameAs wd:Q3 .
ne:club owl:sameAs wd:Q4 ; rdfs:label "Club"@en .
ne:membership-xyz-club org:member ne:XYZ ; org:organization ne:club ;
    org:memberDuring [ time:hasBeginning [ time:inXSDgYear "1995"^^xsd:gYear ] ] .
"""


def _st(prop: str, s: str, o: str, start: str | None, end: str | None = None) -> Statement:
    return Statement(URIRef(WD + s), prop, URIRef(WD + o), start, end)


def test_several_terms_match_by_closest_start_and_partial_dates_at_their_precision() -> None:
    g = new_graph().parse(data=SMALL, format="turtle")
    # in an order where pairing by position would pair the 2020 term with a tenure
    given = [_st("P39", "Q1", "Q2", "2020-01-01"), _st("P39", "Q1", "Q2", "2010-06-02"),
             _st("P39", "Q1", "Q2", "2001-01-01", "2005-01-01"),
             _st("P463", "Q3", "Q4", "1995-06-01")]
    got = {(r.fact, r.field, r.status, r.ours, r.theirs) for r in reconcile(g, given)}
    assert got == {
        (NE.first, "start", AGREE, "2001-01-01", "2001-01-01"),
        (NE.first, "end", DIFFERS, "2004-12-31", "2005-01-01"),
        (NE.second, "start", DIFFERS, "2010-06-01", "2010-06-02"),
        (NE.second, "end", AGREE, None, None),
        (None, "fact", MISSING_HERE, None, "2020-01-01/.."),
        (NE["membership-xyz-club"], "start", AGREE, "1995", "1995-06-01"),
        (NE["membership-xyz-club"], "end", AGREE, None, None),
    }
    query = wikidata_query(g)
    prepareQuery(query)
    assert {"Q1", "Q2", "Q3", "Q4"} == set(re.findall(r"\bwd:(Q\d+)\b", query))


def test_an_unknown_wikidata_date_differs_from_a_known_one(graph: Graph) -> None:
    gbr = _st("P463", "Q145", "Q458", "1973-01-01", UNKNOWN)
    got = [(r.field, r.status, r.ours, r.theirs) for r in reconcile(graph, [gbr])
           if r.fact == NE["membership-gbr-eu"]]
    assert got == [("start", AGREE, "1973-01-01", "1973-01-01"),
                   ("end", DIFFERS, "2020-01-31", UNKNOWN)]


def test_turtle_answers_are_read_like_every_with_file(tmp_path: Path) -> None:
    """`reconcile --with X.ttl` parsed with rdflib and no deadline: a \'\'\' literal of 4
    million line breaks took 272 s. Now Oxigraph's parser, under NATOEU_PARSE_TIMEOUT."""
    path = tmp_path / "answer.ttl"
    path.write_text("<http://www.wikidata.org/entity/Q33> <http://example.org/note> \'\'\'"
                    + "\n" * 50_000 + "\'\'\' .\n")
    proc = subprocess.run([sys.executable, "-m", "natoeu_graph", "reconcile", "--with",
                           str(path)], capture_output=True, text=True, check=False,
                          env={**os.environ, "NATOEU_PARSE_TIMEOUT": "0.001"})
    assert proc.returncode == 3 and "took longer than 0.001 s" in proc.stderr, proc.stderr
    g = rec.parse_external([str(path)])  # the parser it uses: the literal, whole
    assert len(g) == 1 and str(next(iter(g))[2]).count("\n") == 50_000
