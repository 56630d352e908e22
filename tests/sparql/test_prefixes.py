"""Prefixes declared for every query, as the Wikidata Query Service does; a query's own win."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from rdflib import Graph

from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.resources import Resources
from natoeu_graph.sparql.prefixes import prologue, standard_prefixes, with_prefixes
from natoeu_graph.sparql.queries import prepare, run

WANTED = ("ne", "natoeu", "org", "time", "prov", "skos", "dcterms", "foaf", "owl", "rdf", "rdfs",
          "xsd", "wd")
UNDECLARED = "SELECT ?s ?l WHERE { ?s a natoeu:JointDeclaration ; rdfs:label ?l } ORDER BY ?s"


def test_the_standard_prefixes_cover_what_the_data_declare(res: Resources) -> None:
    std = standard_prefixes()
    assert set(WANTED) <= set(std)
    declared: dict[str, str] = {}
    for path in [res.ontology, res.shapes, *res.data_files()]:
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"@prefix (\w*): <([^>]*)>", line)
            if m:
                declared[m.group(1)] = m.group(2)
    assert declared and {p: std.get(p) for p in declared} == declared


def test_undeclared_standard_prefixes_work(graph: Graph) -> None:
    explicit = prologue() + UNDECLARED
    got = [tuple(r) for r in run(graph, UNDECLARED)]
    assert got == [tuple(r) for r in run(graph, explicit)]
    assert len(got) >= 3  # the joint declarations of the graph


def test_a_query_declaration_wins(graph: Graph) -> None:
    assert run(graph, "ASK { ne:FIN ?p ?o }").askAnswer is True
    own = "PREFIX ne: <http://example.org/other/>\nASK { ne:FIN ?p ?o }"
    assert run(graph, own).askAnswer is False
    assert "PREFIX ne:" not in prologue(own) and "PREFIX natoeu:" in prologue(own)


def test_text_for_stores_that_parse_it_themselves(graph: Graph) -> None:
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    with pytest.raises(SyntaxError):
        store.query(UNDECLARED)
    oxi = sorted((s["s"].value, s["l"].value) for s in store.query(with_prefixes(UNDECLARED)))
    rdf = sorted((str(r[0]), str(r[1])) for r in run(graph, UNDECLARED))
    assert oxi == rdf


def test_syntax_error_position_once_and_a_fitting_hint() -> None:
    with pytest.raises(UsageError) as err:
        prepare("SELECT ?s WHERE {\n  ?s ?p }")
    assert err.value.message.count("line 2") == 1 and "col:" not in err.value.message
    assert "(at char" not in err.value.message
    assert err.value.hint and "prefix" not in err.value.hint.lower()
    with pytest.raises(UsageError) as err:
        prepare("SELECT ?s WHERE {\n  ?s a foo:Bar }")
    assert "at line 2, column 8: undeclared prefix 'foo:'" in err.value.message
    assert err.value.hint and "PREFIX foo:" in err.value.hint
