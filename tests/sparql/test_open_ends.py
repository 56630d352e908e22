"""An open end is "ongoing, last verified DATE" or "end not known": the canned queries never show
an unknown end as current, and say when an ongoing fact was last verified."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Graph

from natoeu_graph.core.namespaces import PREFIXES
from natoeu_graph.core.resources import Resources
from natoeu_graph.qa.stale import open_ends, stale
from natoeu_graph.sparql.queries import get_query, run_canned

HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
SYNTHETIC = HEADER + """
ne:post-test a natoeu:Post ; rdfs:label "Test Post"@en .
ne:person-unknown a natoeu:Person ; rdfs:label "Unknown End"@en ; foaf:name "Unknown End" .
ne:person-ongoing a natoeu:Person ; rdfs:label "Still There"@en ; foaf:name "Still There" .
ne:tenure-unknown a natoeu:Tenure ; natoeu:post ne:post-test ; natoeu:holder ne:person-unknown ;
    natoeu:during [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2019-01-01"^^xsd:date ] ;
        natoeu:endStatus natoeu:EndUnknown ; natoeu:lastVerified "2020-06-30"^^xsd:date ;
        natoeu:verifiedAgainst ne:source-factsheet-2018 ] .
ne:post-test2 a natoeu:Post ; rdfs:label "Other Test Post"@en .
ne:tenure-ongoing a natoeu:Tenure ; natoeu:post ne:post-test2 ; natoeu:holder ne:person-ongoing ;
    natoeu:during [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2021-01-01"^^xsd:date ] ;
        natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2025-01-15"^^xsd:date ;
        natoeu:verifiedAgainst ne:source-factsheet-2018 ] .
ne:XTS a natoeu:State ; rdfs:label "Testland"@en .
ne:membership-xts-nato a natoeu:Membership ; org:member ne:XTS ; org:organization ne:NATO ;
    org:memberDuring [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2019-01-01"^^xsd:date ] ;
        natoeu:endStatus natoeu:EndUnknown ; natoeu:lastVerified "2020-06-30"^^xsd:date ;
        natoeu:verifiedAgainst ne:source-factsheet-2018 ] .
"""


@pytest.fixture(scope="module")
def extended(graph: Graph) -> Graph:
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    g += graph
    g.parse(data=SYNTHETIC, format="turtle")
    return g


def _holders(res: Resources, g: Graph, date: str) -> dict[str, str | None]:
    rows = run_canned(g, get_query(res.queries_dir, "office-holders"), {"date": date})
    return {str(r.name): (str(r.openEnd) if r.openEnd is not None else None) for r in rows}


def test_an_unknown_end_holds_only_up_to_its_last_verification(res: Resources,
                                                               extended: Graph) -> None:
    assert _holders(res, extended, "2020-01-01")["Unknown End"] == (
        "end not known; last seen in office 2020-06-30")
    assert "Unknown End" not in _holders(res, extended, "2020-07-01")
    assert "Unknown End" not in _holders(res, extended, "2026-11-25")


def test_an_ongoing_term_says_when_it_was_last_verified(res: Resources, extended: Graph) -> None:
    assert _holders(res, extended, "2026-11-25")["Still There"] == (
        "ongoing, last verified 2025-01-15")


def test_membership_with_an_unknown_end_is_not_counted_after_it(res: Resources,
                                                                extended: Graph) -> None:
    q = get_query(res.queries_dir, "nato-members")

    def members(date: str) -> set[str]:
        return {str(r.label) for r in run_canned(extended, q, {"date": date})}

    assert "Testland" in members("2020-06-30")
    assert "Testland" not in members("2020-07-01")
    counts = get_query(res.queries_dir, "member-counts")
    before = next(iter(run_canned(extended, counts, {"date": "2020-06-30"}))).nato
    after = next(iter(run_canned(extended, counts, {"date": "2020-07-01"}))).nato
    assert int(before) == int(after) + 1


def test_stale_lists_the_oldest_verification_first(extended: Graph) -> None:
    found = {str(o.fact): o for o in open_ends(extended)}
    unknown = found["https://w3id.org/natoeu/id/tenure-unknown"]
    assert (unknown.status, unknown.last_verified) == ("end not known", dt.date(2020, 6, 30))
    old = stale(open_ends(extended), dt.date(2026, 11, 25), older_than=700)
    names = [str(o.fact) for o in old]
    assert "https://w3id.org/natoeu/id/tenure-unknown" in names
    assert "https://w3id.org/natoeu/id/tenure-ongoing" not in names  # 679 days
    ages = [o.age(dt.date(2026, 11, 25)) for o in old if o.last_verified]
    assert ages == sorted(ages, reverse=True)
