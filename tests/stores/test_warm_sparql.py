"""The warm path of `natoeu sparql` (stores.warm_sparql): SELECT, ASK, CONSTRUCT and DESCRIBE
answered from the cached Oxigraph store, without rdflib or click, in the bytes the rdflib
store's answer is written in, in every format; and the full command for everything it cannot
answer so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NATOEU
from test_warm import primed

from natoeu_graph.pipeline.build import Built
from natoeu_graph.sparql.results import format_result
from natoeu_graph.sparql.screen import MAX_CHARS
from natoeu_graph.stores import warm_sparql
from natoeu_graph.stores.backends import RdflibBackend

SELECT = ('SELECT ?state ?name ?since WHERE { ?m org:member ?state ; org:organization ne:NATO ;'
          ' org:memberDuring/time:hasBeginning/time:inXSDDate ?since . ?state rdfs:label ?name'
          ' FILTER(LANG(?name) = "en") } ORDER BY ?since ?name')
ASK = "ASK { ?m org:member ne:FIN ; org:organization ne:EU }"
CONSTRUCT = ("CONSTRUCT { ?m org:member ?s ; org:memberDuring ?i . ?i ?p ?o } WHERE { "
             "?m org:member ?s ; org:organization ne:EU ; org:memberDuring ?i . ?i ?p ?o }")
DESCRIBE = "DESCRIBE ne:NATO"
CASES = [(SELECT, f) for f in ("table", "csv", "tsv", "json")] + \
        [(ASK, f) for f in ("table", "json")] + \
        [(q, f) for q in (CONSTRUCT, DESCRIBE) for f in ("ttl", "nt", "jsonld")]


@pytest.fixture(scope="module")
def cache() -> Path:
    """The session's cache (the graph is built there already), with the warm index."""
    folder = Path(os.environ["NATOEU_CACHE_DIR"])
    primed(folder)
    return folder


@pytest.mark.parametrize(("query", "fmt"), CASES, ids=[f"{q.split()[0]}-{f}" for q, f in CASES])
def test_warm_answer_is_the_rdflib_stores(cache: Path, built: Built, query: str,
                                          fmt: str) -> None:
    """The same bytes as the rdflib store's answer written by the full command's code
    (results.format_result), blank node labels included."""
    fast = warm_sparql.answer(["sparql", query, "-f", fmt])
    assert fast is not None, "the warm path declined an answer it can write"
    assert fast == format_result(RdflibBackend(built.dataset()).query(query), fmt)


def test_warm_process_imports_neither_rdflib_nor_click(cache: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NATOEU_CACHE_DIR": str(cache)}
    (tmp_path / "q.rq").write_text(CONSTRUCT, encoding="utf-8")
    for args in (["sparql", SELECT, "-f", "csv"], ["sparql", "--file", str(tmp_path / "q.rq")]):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "natoeu_graph", *args],
                              capture_output=True, env=env, check=False)
        assert proc.returncode == 0, proc.stderr
        imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines()}
        assert "natoeu_graph.stores.warm_sparql" in imported
        assert not {"rdflib", "click", "pyshacl", "owlrl", "pyparsing"} & imported
        full = subprocess.run([NATOEU, *args, "--engine", "rdflib"], capture_output=True,
                              env=env, check=False)
        assert full.returncode == 0, full.stderr
        assert proc.stdout == full.stdout


@pytest.mark.parametrize("args", [
    ["sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"],
    ["sparql", "SELECT * FROM <https://w3id.org/natoeu/graph/asserted> WHERE { ?s ?p ?o }"],
    ["sparql", 'SELECT * WHERE { ?s ?p "\\u0041" }'],  # an escape: rdflib's parser decides
    ["sparql", "SELECT ?s WHERE { ?s natoeu:NoSuchTerm ?o }"],  # empty: the note on stderr
    ["sparql", "ASK { ne:XXX ?p ?o }"],  # false: likewise
    ["sparql", ASK, "-f", "csv"],  # rdflib cannot write it; the full command says so
    ["sparql", "SELECT ?s WHERE { ?s ?p"],  # the full command names line and column
    ["sparql", "CONSTRUCT { ne:FIN rdfs:seeAlso (1 2) } WHERE {}"],  # a collection
    ["sparql", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * MAX_CHARS],
    ["sparql", ASK, "--no-validate"], ["sparql", ASK, "--engine", "rdflib"],
    ["sparql", ASK, "--store", "oxigraph"], ["sparql", ASK, "--with", "x.ttl"],
    ["sparql", ASK, "-f", "xml"], ["sparql", ASK, ASK], ["sparql"],
])
def test_what_goes_to_the_full_command(cache: Path, args: list[str]) -> None:
    assert warm_sparql.answer(args) is None
