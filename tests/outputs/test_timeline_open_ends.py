"""The timeline never draws an end that is not known to today: the bar stops at the last day a
source shows the fact holding, and the counts drop after it."""

from __future__ import annotations

from datetime import date

from rdflib import Graph

from natoeu_graph.core.namespaces import PREFIXES
from natoeu_graph.outputs.timeline import member_counts, org_colours, tenures

TTL = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + """
ne:post-t a natoeu:Post ; rdfs:label "Test Post"@en ; org:postIn ne:NATO .
ne:p1 a natoeu:Person ; rdfs:label "Unknown End"@en .
ne:p2 a natoeu:Person ; rdfs:label "Still There"@en .
ne:t1 a natoeu:Tenure ; natoeu:post ne:post-t ; natoeu:holder ne:p1 ; natoeu:during [
    time:hasBeginning [ time:inXSDDate "2019-01-01"^^xsd:date ] ;
    natoeu:endStatus natoeu:EndUnknown ; natoeu:lastVerified "2020-06-30"^^xsd:date ] .
ne:t2 a natoeu:Tenure ; natoeu:post ne:post-t ; natoeu:holder ne:p2 ; natoeu:during [
    time:hasBeginning [ time:inXSDDate "2021-01-01"^^xsd:date ] ;
    natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2025-01-15"^^xsd:date ] .
ne:NATO a natoeu:InternationalOrganization ; rdfs:label "NATO"@en .
ne:m1 a natoeu:Membership ; org:organization ne:NATO ; org:member ne:X1 ; org:memberDuring [
    time:hasBeginning [ time:inXSDDate "2019-01-01"^^xsd:date ] ;
    natoeu:endStatus natoeu:EndUnknown ; natoeu:lastVerified "2020-06-30"^^xsd:date ] .
ne:m2 a natoeu:Membership ; org:organization ne:NATO ; org:member ne:X2 ; org:memberDuring [
    time:hasBeginning [ time:inXSDDate "2019-01-01"^^xsd:date ] ;
    natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2020-06-30"^^xsd:date ] .
"""


def test_unknown_end_stops_at_its_last_verification_and_ongoing_runs_on() -> None:
    g = Graph().parse(data=TTL, format="turtle")
    colours = org_colours(g)
    spans = {s.text: s for s in tenures(g, colours)}
    assert (spans["Unknown End"].end, spans["Unknown End"].unknown_end) == (date(2020, 6, 30),
                                                                           True)
    assert (spans["Still There"].end, spans["Still There"].unknown_end) == (None, False)
    (nato,) = member_counts(g, colours)
    assert nato.steps == [(date(2019, 1, 1), 2), (date(2020, 7, 1), 1)]
