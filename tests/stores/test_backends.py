"""The same answers from every backend: embedded rdflib, embedded Oxigraph, and a live Oxigraph
server on 127.0.0.1 that `natoeu publish` fills through the Graph Store Protocol."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from query_cases import LOCAL, assert_cli_endpoint_like_embedded, case_file, rows

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.sparql.queries import bindings, get_query
from natoeu_graph.sparql.results import to_csv
from natoeu_graph.stores.backends import EndpointBackend, OxigraphBackend, RdflibBackend

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server (the `oxigraph` package from PyPI) on 127.0.0.1."""
    port = free_port()
    proc = subprocess.Popen(
        [str(OXIGRAPH), "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
         "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("oxigraph server did not start")
        yield url + "/query"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def published(oxigraph_server: str, built: Built) -> str:
    proc = run_cli("publish", "--endpoint", oxigraph_server)
    assert proc.returncode == 0, proc.stderr
    counts = dict(line.rsplit(": ", 1) for line in proc.stdout.splitlines())
    assert counts["https://w3id.org/natoeu/graph/asserted"] == f"{len(built.asserted)} triples"
    return oxigraph_server



@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_every_canned_query_same_on_all_backends(res: Resources, built: Built, published: str,
                                                 name: str, params: dict[str, str]) -> None:
    q = get_query(res.queries_dir, name)
    init = bindings(q, params)
    expected = rows(to_csv(RdflibBackend(built.merged()).query(q.text, init)))
    assert rows(to_csv(OxigraphBackend(built).query(q.text, init))) == expected
    assert rows(to_csv(EndpointBackend(published).query(q.text, init))) == expected


def test_cli_query_against_endpoint_equals_embedded(published: str) -> None:
    assert_cli_endpoint_like_embedded(published)


def test_publish_twice_replaces(published: str, built: Built) -> None:
    proc = run_cli("publish", "--endpoint", published)
    assert proc.returncode == 0
    assert f"inferred: {len(built.inferred)} triples" in proc.stdout


def test_persistent_oxigraph_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    for _ in range(2):  # built, then reused
        proc = run_cli("query", "member-counts", "-p", "date=2018-07-01", "-f", "csv",
                       "--store", f"oxigraph:{path}")
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[1] == "2018-07-01,29,28,22"


def test_warm_oxigraph_store_needs_no_cached_graph(project_copy: Path, tmp_path: Path) -> None:
    """A store that holds the graph of the current key answers without the rdflib cache; a
    change to the data changes the key: the store is refused (not cleared) until `natoeu load`
    rebuilds it."""
    store, cache = tmp_path / "store", tmp_path / "cache"
    args = ("--home", str(project_copy), "query", "member-counts", "-p", "date=2018-07-01",
            "-f", "csv", "--store", f"oxigraph:{store}")
    env = {"NATOEU_CACHE_DIR": str(cache)}
    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    for pickled in cache.glob("*.json"):
        pickled.write_bytes(b"not a cache")  # would be detected and rebuilt if it were read
    again = run_cli(*args, env=env)
    assert again.stdout == first.stdout
    assert all(p.read_bytes() == b"not a cache" for p in cache.glob("*.json"))
    # in a copy of the data the Netherlands leave NATO in 2010: a new key, the store is rebuilt
    members = project_copy / "data" / "memberships.ttl"
    text = members.read_text(encoding="utf-8")
    start = text.index("ne:membership-nld-nato a")
    block = text[start:text.index("\n\n", start)]
    open_end = re.search(r' ;\s*natoeu:endStatus [^\]]*\]', block)
    assert open_end is not None
    ended = block.replace(open_end.group(0), ' ;\n        time:hasEnd [ a time:Instant ; '
                          'time:inXSDDate "2010-12-31"^^xsd:date ] ]')
    members.write_text(text.replace(block, ended), encoding="utf-8")
    refused = run_cli(*args, env=env)
    assert refused.returncode == 2 and "natoeu load --store" in refused.stderr
    loaded = run_cli("--home", str(project_copy), "load", "--store", f"oxigraph:{store}", env=env)
    assert loaded.returncode == 0, loaded.stderr
    changed = run_cli(*args, env=env)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines()[1] == "2018-07-01,28,28,21"


def test_oxigraph_store_refuses_service() -> None:
    proc = run_cli("sparql", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                   "--store", "oxigraph")
    assert proc.returncode == 2 and "SERVICE <http://127.0.0.1:9/sparql> is not allowed" \
        in proc.stderr


def test_unreachable_endpoint_and_bad_store() -> None:
    proc = run_cli("query", "member-counts", "--endpoint", "http://127.0.0.1:9/query")
    assert proc.returncode == 3 and "cannot reach the endpoint" in proc.stderr
    proc = run_cli("query", "member-counts", "--store", "postgres")
    assert proc.returncode == 2 and "unknown store" in proc.stderr
