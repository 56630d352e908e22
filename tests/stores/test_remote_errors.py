"""Errors of remote engines are the user's to fix, not bugs: exit 3 with a hint and one short
line, never exit 4 and never a whole HTML error page. Real servers on 127.0.0.1: Python's own
http.server (which answers POST with 501) and a port nothing listens on."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from conftest import run_cli


@pytest.fixture(scope="module")
def not_sparql() -> Iterator[str]:
    """A web server that is not a SPARQL endpoint."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                             "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/sparql"
    proc.terminate()
    proc.wait()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/sparql"


def assert_remote_error(proc: subprocess.CompletedProcess[str], needle: str) -> None:
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("error: ") and needle in lines[0], proc.stderr
    assert len(lines) == 2 and lines[1].startswith("hint: "), proc.stderr
    assert "<html" not in proc.stderr.lower() and "internal error" not in proc.stderr


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_failing_service_is_a_remote_error(store: str, not_sparql: str) -> None:
    for url in (not_sparql, closed_port()):
        proc = run_cli("sparql", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                       "--store", store, "--allow-service", url)
        assert_remote_error(proc, "a SERVICE endpoint failed")


def test_endpoint_that_is_not_sparql(not_sparql: str) -> None:
    proc = run_cli("query", "member-counts", "--endpoint", not_sparql)
    assert_remote_error(proc, "HTTP 501")
    assert "is it the query URL?" in proc.stderr
    proc = run_cli("query", "member-counts", "--endpoint", closed_port())
    assert_remote_error(proc, "cannot reach the endpoint")
