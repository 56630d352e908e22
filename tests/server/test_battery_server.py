"""The bad-input battery (the rows for a server) against a real server.

One test per row. After each, a cheap canned query must still be answered normally, and no
response may carry a stack trace or a server path. File and network access is watched twice: the
workers' audit log (every refused open/connect is written there) and a listener on 127.0.0.1
that must receive nothing.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from server_util import TIMEOUT, Listener, LiveServer, start_server

import natoeu_graph

JSON = {"Accept": "application/sparql-results+json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_SERVER_PATHS = [str(Path(natoeu_graph.__file__).resolve().parent.parent), sys.prefix,
                 "/work/", "/root/", "/tmp/"]


@pytest.fixture(scope="module")
def server(built: Any) -> Iterator[LiveServer]:
    yield from start_server()


@pytest.fixture(autouse=True)
def still_serving(server: LiveServer) -> Iterator[None]:
    yield
    assert server.cheap_query_ok() < 2.0


def clean(body: bytes) -> dict[str, Any]:
    """A JSON error body with no traceback and no server path."""
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text
    for path in _SERVER_PATHS:
        assert path not in text, text
    doc = json.loads(text)
    assert set(doc) == {"error", "message"}
    return dict(doc)


def ask(server: LiveServer, query: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
    return server.request("/sparql", method="POST", data=urlencode({"query": query}).encode(),
                          headers={**FORM, **JSON}, **kw)


def audit_events(server: LiveServer) -> str:
    return server.audit_log.read_text() if server.audit_log.exists() else ""




@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def test_09_unknown_canned_query(server: LiveServer) -> None:
    status, _, body = server.request("/queries/does-not-exist%3Cscript%3E", headers=JSON)
    assert status == 404
    assert clean(body)["error"] == "unknown_query"
    assert b"<script>" not in body and b"does-not-exist" not in body
    status, _, body = server.request("/queries/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                                     headers={"Accept": "text/html"})
    assert status == 404 and b"<script>alert" not in body


def test_10_syntax_error_is_400_with_line_and_column(server: LiveServer) -> None:
    status, _, body = ask(server, "SELECT * WHERE { ?s ?p }")
    assert status == 400
    doc = clean(body)
    assert doc["error"] == "malformed_query"
    assert "line 1, column" in doc["message"]


def test_11_from_file_refused_without_opening_it(server: LiveServer) -> None:
    status, _, body = ask(server, "SELECT * FROM <file:///etc/hostname> WHERE { ?s ?p ?o }")
    assert status == 400
    assert clean(body)["error"] == "dataset_not_allowed"
    assert "/etc/hostname" not in audit_events(server)


def test_12_from_named_and_dataset_parameters_refused(server: LiveServer,
                                                      tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text('<http://ex/admin> <http://ex/password> "hunter2-SECRET" .\n')
    uri = secret.as_uri()
    query = f"SELECT * FROM NAMED <{uri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    status, _, body = ask(server, query)
    assert status == 400 and clean(body)["error"] == "dataset_not_allowed"
    for param in ("default-graph-uri", "named-graph-uri"):
        status, _, body = server.request(
            "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: uri}),
            headers=JSON)
        assert status == 400 and clean(body)["error"] == "dataset_not_allowed"
        assert b"hunter2" not in body
    assert "secret.ttl" not in audit_events(server)


def test_13_service_never_leaves_the_host(server: LiveServer, listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}/sparql"
    variants = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ # comment\n service\n<{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }} }}",
        f"PREFIX x: <http://127.0.0.1:{listener.port}/> "
        "SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT ?u { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <file:///etc/hostname> { ?s ?p ?o } }",
        # forms that a guess from the text could miss (Oxigraph takes unscreened texts): a
        # long s (U+017F, which upper-cases to S), a \u escape, a line separator after a
        # comment, the keyword split by a comment
        f"SELECT * WHERE {{ \u017fERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # x\u2028SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERV#\nICE <{target}> {{ ?s ?p ?o }} }}",
    ]
    for query in variants:
        status, _, body = ask(server, query)
        assert status == 400, query
        assert clean(body)["error"] in ("service_not_allowed", "malformed_query"), query
    time.sleep(0.3)
    assert listener.connections == 0
    events = audit_events(server)
    assert str(listener.port) not in events and "/etc/hostname" not in events


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _triples(server: LiveServer) -> int:
    status, _, body = ask(server, COUNT)
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_14_update_forms_sent_as_query_are_400(server: LiveServer) -> None:
    before = _triples(server)
    for update in ('INSERT DATA { <http://ex/a> <http://ex/b> "c" }',
                   "DELETE WHERE { ?s ?p ?o }", "LOAD <file:///etc/hostname>", "DROP ALL"):
        status, _, body = ask(server, update)
        assert status == 400, update
        clean(body)
    assert _triples(server) == before
    assert "/etc/hostname" not in audit_events(server)


def test_15_update_requests_are_refused(server: LiveServer, listener: Listener) -> None:
    before = _triples(server)
    load = f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>"
    answers = [
        server.request("/sparql", method="POST", data=urlencode({"update": load}).encode(),
                       headers=FORM),
        server.request("/sparql", method="POST", data=b"DROP ALL",
                       headers={"Content-Type": "application/sparql-update"}),
        server.request("/sparql?" + urlencode({"update": "DROP ALL"})),
    ]
    for status, _, body in answers:
        assert status == 403
        assert clean(body)["error"] == "update_not_allowed"
    assert _triples(server) == before
    assert listener.connections == 0


def test_16_huge_result_is_capped_and_says_so(server: LiveServer) -> None:
    status, headers, body = ask(server, "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y }")
    assert status == 200
    assert headers["x-natoeu-truncated"] == "rows=2000"
    assert len(json.loads(body)["results"]["bindings"]) == 2000


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"


def test_17_slow_query_is_killed_and_does_not_delay_cheap_ones(server: LiveServer) -> None:
    normal = min(server.cheap_query_ok() for _ in range(3))
    outcome: dict[str, Any] = {}

    def slow() -> None:
        start = time.monotonic()
        outcome["answer"] = ask(server, SLOW)
        outcome["elapsed"] = time.monotonic() - start

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)  # the slow query now holds one worker
    during = [server.cheap_query_ok() for _ in range(5)]
    thread.join()
    status, headers, body = outcome["answer"]
    assert status == 503
    assert clean(body)["error"] == "query_timeout"
    assert headers.get("retry-after")
    assert TIMEOUT - 0.5 < outcome["elapsed"] < TIMEOUT + 2.0
    assert max(during) < max(10 * normal, 0.5), (normal, during)


def test_18_deep_nesting_is_400(server: LiveServer) -> None:
    query = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }"
    status, _, body = ask(server, query)
    assert status == 400
    assert clean(body)["error"] in ("query_too_complex", "malformed_query")


def _post_raw(server: LiveServer, body: Any, chunked: bool = False) -> tuple[int, bytes]:
    """POST with http.client; the server may answer 413 and close before the body is sent."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        # the server may stop reading early: its answer is then already on the wire
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request("POST", "/sparql", body=body, encode_chunked=chunked,
                         headers={"Content-Type": "application/sparql-query"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_19_oversized_bodies_are_413(server: LiveServer) -> None:
    big = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * (1024 * 1024 + 10)).encode()
    status, body = _post_raw(server, big)
    assert status == 413 and clean(body)["error"] == "request_too_large"
    # chunked, with no Content-Length: refused once the cap is passed
    status, body = _post_raw(server, (b"#" + b"y" * 65535 for _ in range(40)), chunked=True)
    assert status == 413 and clean(body)["error"] == "request_too_large"


def test_20_wrong_content_types(server: LiveServer) -> None:
    query = b"SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    for ctype in ("text/plain", "application/sparql-query; charset=ISO-8859-1", None):
        headers = {"Content-Type": ctype} if ctype else {}
        status, _, body = server.request("/sparql", method="POST", data=query, headers=headers)
        if ctype is None:
            # urllib adds a form content type when none is given: send the raw request
            host, port = server.url.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.putrequest("POST", "/sparql")
            conn.putheader("Content-Length", str(len(query)))
            conn.endheaders(query)
            resp = conn.getresponse()
            status, body = resp.status, resp.read()
            conn.close()
        assert status == 415, ctype
        clean(body)
    status, _, body = server.request("/sparql", method="POST",
                                     data="SELECT ?é WHERE {}".encode("latin-1"),
                                     headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and clean(body)["error"] == "bad_encoding"


def test_21_protocol_misuse(server: LiveServer) -> None:
    status, headers, body = server.request("/sparql", method="PUT", data=b"x",
                                           headers={"Content-Type": "text/turtle"})
    assert status == 405 and "GET" in headers["allow"]
    clean(body)
    q = quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    status, _, body = server.request(f"/sparql?query={q}&query={q}")
    assert status == 400 and clean(body)["error"] == "multiple_parameters"
    status, _, body = server.request("/sparql?update=" + quote("DROP ALL"))
    assert status == 403
    clean(body)


def test_31_parameter_with_sparql_syntax_is_a_value_not_code(server: LiveServer) -> None:
    evil = 'x" } UNION { ?s ?p ?o } #'
    for name, param in (("shared-members", "date"), ("sources", "entity")):
        status, _, body = server.request(f"/queries/{name}?{urlencode({param: evil})}",
                                         headers=JSON)
        assert status == 400, name
        assert clean(body)["error"] == "bad_parameter"
    # a well-formed IRI holding the escaped quote is a value: looked up, it names nothing
    status, _, body = server.request("/queries/sources?" + urlencode(
        {"entity": "https://w3id.org/natoeu/id/x%22%7D"}), headers=JSON)
    assert status == 400
    assert clean(body)["error"] == "bad_parameter"
    assert "names no entity in the graph" in json.loads(body)["message"]


def test_32_burst_gets_429_with_retry_after(server: LiveServer) -> None:
    def one(_: int) -> tuple[int, dict[str, str], bytes]:
        return ask(server, SLOW, timeout=60)

    with ThreadPoolExecutor(max_workers=100) as pool:
        answers = list(pool.map(one, range(100)))
    statuses = [a[0] for a in answers]
    assert statuses.count(429) >= 50, statuses
    assert set(statuses) <= {429, 503}
    for status, headers, body in answers:
        assert headers.get("retry-after"), status
        clean(body)


# a string that grows tenfold with each BIND, past the workers' memory cap within a second
HUNGRY = ('SELECT (STRLEN(?h) AS ?n) WHERE { BIND("' + "x" * 1000 + '" AS ?a) '
          + "".join(f"BIND(CONCAT({', '.join([f'?{c}'] * 10)}) AS ?{d}) "
                    for c, d in zip("abcdefg", "bcdefgh", strict=True)) + "}")


def test_33_memory_cap_is_503_and_the_worker_replaced(server: LiveServer) -> None:
    """Oxigraph cannot raise MemoryError: at the cap its worker dies, and the client is told
    why (503 query_too_large), as rdflib's MemoryError is; the next query is answered."""
    for _ in range(2):  # both workers die in turn; replacements answer the next ones
        for _attempt in range(5):
            status, headers, body = ask(server, HUNGRY, timeout=60)
            # an ad-hoc worker runs on CPU time nobody else wants (SCHED_IDLE): on a machine
            # busy with other tests its deadline may come before the cap; ask again then
            if status != 503 or clean(body)["error"] != "query_timeout":
                break
        assert status == 503, body
        assert clean(body)["error"] == "query_too_large"
        assert headers.get("retry-after")
    status, _, body = ask(server, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
