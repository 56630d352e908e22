"""Canned queries with their parameters written in (the query page's examples) answer exactly
as the canned query does with those values bound."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from query_cases import CASES, case_file
from rdflib import Graph

from natoeu_graph.core.resources import Resources
from natoeu_graph.sparql.queries import get_query, inline, list_queries, run
from natoeu_graph.sparql.results import to_csv

EXPECTED = Path(__file__).parent.parent / "expected"
# one recorded case per query that takes parameters
PARAMETERISED = list({name: (name, p) for name, p in reversed(CASES) if p}.values())


@pytest.mark.parametrize(("name", "params"), PARAMETERISED,
                         ids=[case_file(n, p) for n, p in PARAMETERISED])
def test_inlined_query_gives_the_recorded_rows(res: Resources, graph: Graph, name: str,
                                               params: dict[str, str]) -> None:
    text = inline(get_query(res.queries_dir, name), params)
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "?_" in line]
    expected = list(csv.DictReader(io.StringIO(
        (EXPECTED / case_file(name, params)).read_text(encoding="utf-8"))))
    assert list(csv.DictReader(io.StringIO(to_csv(run(graph, text))))) == expected


def test_every_parameterised_query_is_covered(res: Resources) -> None:
    assert {q.name for q in list_queries(res.queries_dir) if q.params} == \
        {name for name, _ in PARAMETERISED}
