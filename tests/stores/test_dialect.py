"""Remote answers read as SPARQL 1.1 means them (stores.dialect), where a store departs in a
known way. The real Virtuoso of test_virtuoso answers ASK in the standard's shape here; the
shape it gives elsewhere (a SELECT of one cell, ``__ask_retval``, 1 for true and no row for
false: Virtuoso's own SPARQL_REXEC builds it so) is replayed by a server on 127.0.0.1, through
the command."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from conftest import run_cli

from natoeu_graph.sparql.queries import list_queries, prepare
from natoeu_graph.stores.dialect import boolean_columns

_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


class _AskAsSelect(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        true = "FIN" in form["query"][0]
        rows = [{"__ask_retval": {"type": "typed-literal", "datatype": _INTEGER, "value": "1"}}]
        body = json.dumps({"head": {"link": [], "vars": ["__ask_retval"]},
                           "results": {"distinct": False, "ordered": True,
                                       "bindings": rows if true else []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def ask_as_select() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AskAsSelect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("text", "answer"), [("ASK { ne:FIN ?p ?o }", "true"),
                                              ("ASK { ne:no-such-thing ?p ?o }", "false")])
def test_an_ask_answered_as_a_one_cell_select_is_read_as_the_ask(ask_as_select: str, text: str,
                                                                 answer: str) -> None:
    """The client read "boolean" only: an answer in this shape was false, so every IRI
    parameter of a canned query "named no entity", and `natoeu sparql` printed the row."""
    proc = run_cli("sparql", text, "--endpoint", ask_as_select)
    assert proc.returncode == 0 and proc.stdout == answer + "\n", proc.stdout + proc.stderr
    lookup = run_cli("query", "sources", "-p", "entity=ne:FIN", "-f", "csv",
                     "--endpoint", ask_as_select)
    assert "names no entity" not in lookup.stderr, lookup.stderr  # the look-up is an ASK


def test_the_columns_a_boolean_expression_binds(res: object) -> None:
    """Virtuoso's 1 and 0 are read as true and false only in these columns: a count of 1
    stays 1."""
    found = {q.name: boolean_columns(prepare(q.text, q.name).algebra)
             for q in list_queries(res.queries_dir)}  # type: ignore[attr-defined]
    assert {k: v for k, v in found.items() if v} == {
        "measure-package-areas": {"newInPackage"}, "operation-links": {"activeOnDate"},
        "factsheet-changes": {"changed"}, "wikidata-iso-codes": {"agrees"}}
    assert boolean_columns(prepare(
        "SELECT (COUNT(*) AS ?n) (1 < 2 AS ?b) (IF(?x, true, false) AS ?c) (STR(?x) AS ?s) "
        "WHERE { ?x ?p ?o }").algebra) == {"b", "c"}
