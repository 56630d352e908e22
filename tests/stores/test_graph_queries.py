"""GRAPH works on every store: the dataset is the three parts as named graphs, their merge as the
default graph. The counts come from the built parts, so a store that drops or adds a graph fails.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import run_cli

from natoeu_graph.pipeline.build import Built

_PER_GRAPH = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
              "GROUP BY ?g ORDER BY ?g")


def _expected(built: Built) -> list[list[str]]:
    parts = {"asserted": built.asserted, "inferred": built.inferred,
             "ontology": built.ontology}
    return [[f"https://w3id.org/natoeu/graph/{name}", str(len(g))]
            for name, g in sorted(parts.items())]


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_graph_query_on_every_cli_store(built: Built, store: str) -> None:
    proc = run_cli("sparql", _PER_GRAPH, "-f", "csv", "--store", store)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["g", "n"]
    assert rows[1:] == _expected(built)


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_default_graph_is_the_merge(built: Built, store: str) -> None:
    proc = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv",
                   "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[1] == str(len(built.merged()))


def test_graph_by_name_selects_one_part(built: Built) -> None:
    proc = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                   "<https://w3id.org/natoeu/graph/inferred> { ?s ?p ?o } }", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[1] == str(len(built.inferred))
