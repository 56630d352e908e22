"""The W3C SPARQL 1.1 query evaluation tests on both engines, through the server's query path
(tests/w3c_query.py says how): the engine that answers ad-hoc queries by default passes at
least as many as the other, and the outcomes and the docs' pass counts are the recorded ones
(after a change of engine or library: `python tests/w3c_query.py` rewrites both)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import w3c_query

from natoeu_graph.server.engines import ENGINES


@pytest.fixture(scope="session")
def outcomes() -> Iterator[dict[str, dict[str, str]]]:
    """Each test once per engine (4-5 s for both)."""
    logging.disable(logging.ERROR)  # rdflib logs each ill-typed literal of the cast tests
    try:
        yield w3c_query.outcomes()
    finally:
        logging.disable(logging.NOTSET)


def test_every_evaluation_test_ran_on_both_engines(outcomes: dict[str, dict[str, str]]) -> None:
    assert len(outcomes) == 225
    assert {len(r) for r in outcomes.values()} == {2}
    categories = {name.split("/")[0] for name in outcomes}
    assert {"aggregates", "functions", "property-path", "negation", "subquery"} <= categories


def test_the_default_engine_passes_at_least_as_many(
        outcomes: dict[str, dict[str, str]]) -> None:
    assert ENGINES[0] == "auto"  # the default: Oxigraph answers ad-hoc queries
    passes = {e: sum(r[e] == "pass" for r in outcomes.values()) for e in w3c_query.ENGINES}
    assert passes["oxigraph"] >= passes["rdflib"], passes


def test_outcomes_are_the_recorded_ones(outcomes: dict[str, dict[str, str]]) -> None:
    assert w3c_query.expected_tsv(outcomes) == w3c_query.EXPECTED.read_text(encoding="utf-8"), \
        "an engine answers differently: run python tests/w3c_query.py and review the diff"


def test_docs_report_the_passes(outcomes: dict[str, dict[str, str]]) -> None:
    doc = w3c_query.DOC.read_text(encoding="utf-8")
    assert w3c_query.doc_table(doc) == w3c_query.table(outcomes), \
        "docs/sparql-engines.md is stale: run python tests/w3c_query.py"


def test_policy_refusals_are_the_same_on_both(outcomes: dict[str, dict[str, str]]) -> None:
    """The one test that names its dataset with FROM is refused by the server's policy on both
    engines (FROM may name only the served graphs), not fetched."""
    refused = {n for n, r in outcomes.items() if "error dataset_not_allowed" in r.values()}
    assert refused == {"construct/constructwhere04"}
    assert set(outcomes["construct/constructwhere04"].values()) == {"error dataset_not_allowed"}
