"""qa.engines' lists are exactly the check and QA queries that Oxigraph answers as rdflib does.

Each query runs on both engines over a graph that holds the shipped data plus every seeded
problem at once, so each has rows to compare (qa_seeds.py for the QA checks, CHECK_SEEDS below
for queries/checks); a check that one seed hides from another (no owl:Ontology left to lack a
title) runs over the shipped data plus its own seed. A query whose rows differ must be left
off its list; one left off whose rows agree fails the test too, so the lists cannot drift from
what is proven.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from qa_seeds import HEADER, SEEDS, Seed
from rdflib import Graph, Variable
from rdflib.term import Node

from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.namespaces import new_graph
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built, parse_project
from natoeu_graph.qa.engines import CHECKS_EQUAL, QA_EQUAL, Engines
from natoeu_graph.qa.report import VALIDATION_CHECKS, load_checks

# one problem per violation query of queries/checks, added to the asserted part of the built
# graph (not reasoned over, so the entailment checks find what is missing)
CHECK_SEEDS = {
    "dangling-references": "ne:FIN rdfs:seeAlso ne:never-described .\n",
    "duplicate-sources": (
        'ne:source-twin-a a natoeu:Source ; foaf:page <https://example.org/twin> .\n'
        'ne:source-twin-b a natoeu:Source ; foaf:page <https://example.org/twin> .\n'),
    "entailments": ("ne:tenure-unreasoned natoeu:post ne:post-unreasoned ; "
                    "natoeu:holder ne:jens-stoltenberg .\n"),
    "interop-contract": "ne:membership-untyped a natoeu:Membership .\n",
    "link-hygiene": "ne:FIN owl:sameAs <http://www.wikidata.org/entity/X1> .\n",
}


def _rows(result: object) -> list[tuple[tuple[str, Node], ...]]:
    bindings: Iterable[dict[Variable, Node]] = getattr(result, "bindings", [])
    return sorted(tuple(sorted((str(k), v) for k, v in row.items())) for row in bindings)


def _both(engines: Engines, text: str, name: str) -> tuple[list, list]:
    reference = Engines(engines._parts, engines.graph, oxigraph=False)
    return (_rows(reference.query(text, name, False)), _rows(engines.query(text, name, True)))


def _seeded(res: Resources, seeds: Iterable[Seed]) -> Engines:
    ontology, _, data, _ = parse_project(res)
    seeds = list(seeds)
    for seed in seeds:
        ontology.parse(data=HEADER + seed.ontology, format="turtle")
        data.parse(data=HEADER + seed.data, format="turtle")
    for seed in seeds:
        for s, p in seed.remove:
            ontology.remove((s, p, None))
    merged = ontology + data
    return Engines({"ontology": ontology, "data": data}, lambda: merged)


@pytest.fixture(scope="module")
def qa_engines(res: Resources) -> Engines:
    return _seeded(res, SEEDS.values())


@pytest.fixture(scope="module")
def check_engines(built: Built) -> Engines:
    asserted = new_graph()
    asserted += built.asserted
    asserted.parse(data=HEADER + "".join(CHECK_SEEDS.values()), format="turtle")
    parts = {"ontology": built.ontology, "asserted": asserted, "inferred": built.inferred}

    def merged() -> Graph:
        g = new_graph()
        for part in parts.values():
            g += part
        return g

    return Engines(parts, merged)


def test_qa_queries_proven_equal_are_exactly_the_list(res: Resources,
                                                      qa_engines: Engines) -> None:
    equal, differ, empty = set(), {}, []
    for check in load_checks(res):
        if check.source == "python" or check.name in VALIDATION_CHECKS:
            continue
        text = (res.root / check.source).read_text(encoding="utf-8")
        on_rdflib, on_oxigraph = _both(qa_engines, text, check.source)
        if not on_rdflib:
            on_rdflib, on_oxigraph = _both(_seeded(res, [SEEDS[check.name]]), text,
                                           check.source)
        if not on_rdflib:
            empty.append(check.name)
        if on_rdflib == on_oxigraph:
            equal.add(check.name)
        else:
            differ[check.name] = (on_rdflib[:3], on_oxigraph[:3])
    assert not empty, f"no seed gives these checks rows to compare: {empty}"
    assert equal == QA_EQUAL, {"left off but equal": equal - QA_EQUAL, "listed but differ":
                               {n: differ[n] for n in QA_EQUAL - equal}}


def test_check_queries_proven_equal_are_exactly_the_list(res: Resources,
                                                         check_engines: Engines) -> None:
    equal, differ = set(), {}
    for path in sorted(res.checks_dir.glob("*.rq")):
        name = path.stem
        on_rdflib, on_oxigraph = _both(check_engines, path.read_text(encoding="utf-8"), name)
        assert on_rdflib, f"{name}: its seed gives no row to compare"
        if on_rdflib == on_oxigraph:
            equal.add(name)
        else:
            differ[name] = (on_rdflib[:3], on_oxigraph[:3])
    assert set(CHECK_SEEDS) == {p.stem for p in res.checks_dir.glob("*.rq")}
    assert equal == CHECKS_EQUAL, {"left off but equal": equal - CHECKS_EQUAL,
                                   "listed but differ": {n: differ[n]
                                                         for n in CHECKS_EQUAL - equal}}


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVIC\\u0045 <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
])
def test_service_and_from_are_refused_before_oxigraph_runs(text: str) -> None:
    engines = Engines({"data": []}, new_graph)
    with pytest.raises(UsageError):
        engines.query(text, "seed.rq", True)
