"""The warm path (stores.warm): a canned query answered from the cached Oxigraph store without
importing rdflib gives the default store's answer byte for byte, and is never used when any
input, the query text or the package changed since the index was written."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import NATOEU, cache_with_graph, run_cli
from query_cases import LOCAL, case_file
from rdflib import Graph

from natoeu_graph.core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from natoeu_graph.core.resources import Resources
from natoeu_graph.sparql.queries import get_query, run_canned
from natoeu_graph.sparql.results import RESULT_FORMATS, format_result
from natoeu_graph.stores import warm, warm_sparql
from natoeu_graph.stores.proven import OXIGRAPH_EQUAL


def argv(name: str, params: dict[str, str], fmt: str = "csv") -> list[str]:
    return ["query", name, *[a for k, v in sorted(params.items()) for a in ("-p", f"{k}={v}")],
            "-f", fmt]


def primed(cache: Path, home: Path | None = None) -> None:
    """Run a full query until the index is written (it is not while an input is racy-new)."""
    args = ("--home", str(home)) if home else ()
    for _ in range(5):
        proc = run_cli(*args, "query", "member-counts", "-f", "csv",
                       env={"NATOEU_CACHE_DIR": str(cache)})
        assert proc.returncode == 0, proc.stderr
        if list((cache / "warm").glob("index-*.json")):
            return
        time.sleep(1.5)
    raise AssertionError("the warm index was never written")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = cache_with_graph(tmp_path_factory.mktemp("warm") / "cache")  # the index not yet
    primed(folder)
    yield folder


@pytest.fixture()
def in_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    return cache


def test_graph_names_match_the_namespaces() -> None:
    assert tuple(map(str, (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED))) == warm._GRAPHS


@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_every_canned_query_byte_equal_to_rdflib(res: Resources, graph: Graph, in_cache: Path,
                                                 name: str, params: dict[str, str]) -> None:
    """In every result format, the warm answer is the rdflib store's, as the full command
    writes it (results.format_result; test_warm_process... runs the command itself)."""
    fast = {fmt: warm.answer(argv(name, params, fmt)) for fmt in RESULT_FORMATS}
    if any(p.kind != "xsd_date" for p in get_query(res.queries_dir, name).params):
        assert set(fast.values()) == {None}  # IRI parameters: the full command (labels...)
        return
    if name not in OXIGRAPH_EQUAL:
        assert set(fast.values()) == {None}  # not proven to answer as rdflib does
        return
    result = run_canned(graph, get_query(res.queries_dir, name), params)
    for fmt, text in fast.items():
        assert text is not None, f"the warm path declined {fmt}, which it should answer"
        assert text == format_result(result, fmt), fmt


def full_output(args: list[str], cache: Path) -> bytes:
    """The full command's stdout as bytes (text mode would turn CSV's CRLF into LF)."""
    proc = subprocess.run([NATOEU, *args, "--store", "rdflib"], capture_output=True,
                          env={**os.environ, "NATOEU_CACHE_DIR": str(cache)}, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_warm_process_imports_no_rdflib_and_answers_like_rdflib(in_cache: Path) -> None:
    env = {**os.environ, "NATOEU_CACHE_DIR": str(in_cache)}
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "natoeu_graph",
                           *argv("shared-members", {})], capture_output=True, env=env,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines()}
    assert "natoeu_graph.stores.warm" in imported
    assert not {"rdflib", "click", "pyshacl", "owlrl", "pyparsing"} & imported
    assert proc.stdout == full_output(argv("shared-members", {}), in_cache)


def test_any_change_sends_the_query_to_the_full_command(project_copy: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = cache_with_graph(tmp_path / "cache")  # a copy's graph is the same: no index yet
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    monkeypatch.setenv("NATOEU_HOME", str(project_copy))
    old = time.time() - 3600  # copies are new: date them back so they are not racy
    for f in project_copy.rglob("*"):
        os.utime(f, (old, old))
    primed(cache, project_copy)
    args = argv("member-counts", {"date": "2018-07-01"})
    assert warm.answer(args) is not None
    assert warm.answer(["query", "member-counts", "-f", "xml"]) is None  # no such CLI format
    assert warm.answer(["query", "member-counts", "--store", "rdflib", "-f", "csv"]) is None

    query = project_copy / "queries" / "member-counts.rq"
    text = query.read_text(encoding="utf-8")
    query.write_text(text + "\n# a comment\n", encoding="utf-8")
    os.utime(query, (old, old))  # same mtime as before: the text's hash still tells
    assert warm.answer(args) is None
    query.write_text(text, encoding="utf-8")
    os.utime(query, (old, old))
    assert warm.answer(args) is not None

    adhoc = ["sparql", "ASK { ?s ?p ?o }"]
    assert warm_sparql.answer(adhoc) is not None
    places = project_copy / "data" / "places.ttl"
    places.write_text(places.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert warm.answer(args) is None  # size and mtime changed
    assert warm_sparql.answer(adhoc) is None
    (project_copy / "data" / "places.ttl").unlink()
    assert warm.answer(args) is None


def _restored(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` and set its mtime back, as `touch -r` does."""
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_same_size_edit_with_its_mtime_restored_is_seen(
        project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizes and mtimes were fooled: Finland's accession moved a year on, same size, mtime
    set back, and the warm answer was the old one."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    monkeypatch.setenv("NATOEU_HOME", str(project_copy))
    primed(cache, project_copy)
    args = argv("member-counts", {"date": "2023-06-01"})
    before = warm.answer(args)
    assert before is not None and ",31,27,22" in before
    data = project_copy / "data" / "memberships.ttl"
    text = data.read_text(encoding="utf-8")
    assert text.count('"2023-04-04"^^xsd:date') == 1  # Finland joins NATO
    _restored(data, text.replace('"2023-04-04"^^xsd:date', '"2024-04-04"^^xsd:date'))
    assert warm.answer(args) is None  # the full command runs, and answers from the new data
    proc = run_cli("query", *args[1:], env={"NATOEU_CACHE_DIR": str(cache)})
    assert proc.returncode == 0 and ",30,27,21" in proc.stdout, proc.stdout + proc.stderr


def test_a_store_changed_in_the_cache_is_never_read_and_is_rebuilt(
        project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyoxigraph as ox

    cache = tmp_path / "cache"
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    monkeypatch.setenv("NATOEU_HOME", str(project_copy))
    primed(cache, project_copy)
    args = argv("member-counts", {"date": "2018-07-01"})
    right = warm.answer(args)
    assert right is not None
    (folder,) = (cache / "warm").glob("store-*")
    store = ox.Store(str(folder))  # remove every NATO membership: a planted, wrong graph
    for quad in list(store.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/ns/org#organization"),
            ox.NamedNode("https://w3id.org/natoeu/id/NATO"), None)):
        store.remove(quad)
    store.flush()
    del store
    assert warm.answer(args) is None  # not the planted answer
    proc = run_cli("query", *args[1:], env={"NATOEU_CACHE_DIR": str(cache)})
    assert proc.returncode == 0 and proc.stdout.replace("\r\n", "\n") == \
        right.replace("\r\n", "\n")
    assert warm.answer(args) == right  # rebuilt by that full query
