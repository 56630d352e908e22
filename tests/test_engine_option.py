"""`--engine`: the CLI's default engine (Oxigraph for ad-hoc queries and the proven canned
queries) and `--engine rdflib` print the same bytes where the engines agree, through the full
command: entity parameters looked up by label, a table, data merged with --with."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata-iso-codes.ttl"


@pytest.mark.parametrize("args", [
    ["query", "sources", "-p", "entity=Sweden", "-f", "csv"],  # label looked up on Oxigraph
    ["query", "post-holder", "-p", "post=ne:post-nato-secretary-general", "-f", "table"],
    ["sparql", "SELECT ?s ?code WHERE { ?s owl:sameAs ?item . ?item wdt:P297 ?code } "
               "ORDER BY ?s", "--with", str(FIXTURE), "-f", "tsv"],  # Oxigraph in memory
    ["sparql", "DESCRIBE ne:FIN", "--no-validate", "-f", "nt"],
])
def test_both_engines_print_the_same(args: list[str]) -> None:
    default, rdflib = run_cli(*args), run_cli(*args, "--engine", "rdflib")
    assert default.returncode == rdflib.returncode == 0, default.stderr + rdflib.stderr
    assert default.stdout == rdflib.stdout
    assert default.stdout.count("\n") > 1
