"""No query reaches the network unless the user allowed that exact endpoint: SERVICE is decided
by rdflib's parser on every store, and --allow-service compares parsed URLs.

A listener on 127.0.0.1 counts connections: forms that once slipped past a text heuristic on
the Oxigraph store (SERVICE after a long string holding a '#' line, a prefixed SERVICE name, a
U+2028 in an IRI) and generated variants must reach it zero times."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_util import Listener

from natoeu_graph.core.errors import UsageError
from natoeu_graph.pipeline.build import Built
from natoeu_graph.sparql.queries import service_allowed
from natoeu_graph.stores.backends import OxigraphBackend


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    got = Listener()
    yield got
    got.close()


@pytest.fixture(scope="module")
def store(built: Built) -> OxigraphBackend:
    return OxigraphBackend(built)


def _refused(store: OxigraphBackend, text: str) -> bool:
    try:
        store.query(text)
    except UsageError:
        return True
    return False


def test_the_forms_that_once_slipped_through_are_refused(store: OxigraphBackend,
                                                         listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    root = url[:-len("sparql")]
    local = url.replace("127.0.0.1", "127.000.0.1")
    forms = [
        'SELECT * WHERE { BIND("""x\n# y""" AS ?z) SERVICE <' + url + "> { ?s ?p ?o } }",
        "PREFIX : <" + root + "> SELECT * WHERE { SERVICE :a { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p <http://x/\u2028> . SERVICE <" + url + "> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE <" + local + "> { ?s ?p ?o } }",
        "SELECT * WHERE { S\\u0045RVICE <" + url + "> { ?s ?p ?o } }",
    ]
    for text in forms:
        assert _refused(store, text), text
    assert listener.connections == 0


_WRAPS = st.sampled_from([
    "{q}", "# SERVICE in a comment\n{q}", 'SELECT * WHERE {{ BIND("""a\n#b\n""" AS ?x) {body} }}',
    "SELECT * WHERE {{ BIND('''#\n''' AS ?x) {body} }}", "SELECT * WHERE {{ {body} }}\n#",
    "PREFIX svc: <{base}>\nSELECT * WHERE {{ SERVICE svc:q {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s <http://x/a\u2028b> ?o . {body} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER(?o != \"\u2029\") {body} }}",
])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wrap=_WRAPS, silent=st.booleans(), case=st.sampled_from(["SERVICE", "service", "SeRvIcE"]))
def test_generated_hiding_places_never_reach_the_listener(store: OxigraphBackend,
                                                          listener: Listener, wrap: str,
                                                          silent: bool, case: str) -> None:
    base = f"http://127.0.0.1:{listener.port}/"
    body = f"{case}{' SILENT' if silent else ''} <{base}sparql> {{ ?s ?p ?o }}"
    text = wrap.format(q=f"SELECT * WHERE {{ {body} }}", body=body, base=base)
    before = listener.connections
    _refused(store, text)
    assert listener.connections == before, text


@pytest.mark.parametrize(("endpoint", "allowed", "ok"), [
    ("http://127.0.0.1:1899/sparql", "http://127.0.0.1:1899", True),
    ("http://127.0.0.1:18999/", "http://127.0.0.1:1899", False),
    ("http://127.0.0.1:1899/sparql-admin", "http://127.0.0.1:1899/sparql", False),
    ("http://127.0.0.1:1899/sparql/x", "http://127.0.0.1:1899/sparql/", True),
    ("https://127.0.0.1:1899/sparql", "http://127.0.0.1:1899/sparql", False),
    ("http://localhost.evil:1899/", "http://localhost:1899/", False),
    ("http://EXAMPLE.org/q", "http://example.org:80/", True),
    # a user name: the request would go to the host after the '@'; never allowed
    ("http://user@example.org:8080/q", "http://example.org:8080/", False),
    ("http://example.org:8080@evil.org/q", "http://example.org:8080/", False),
    # dot-segments, written or percent-encoded, climb out of the allowed path
    ("http://127.0.0.1:18999/sparql/../admin", "http://127.0.0.1:18999/sparql", False),
    ("http://127.0.0.1:18999/sparql/%2E%2e/admin", "http://127.0.0.1:18999/sparql", False),
    ("http://127.0.0.1:18999/sparql%2F..%2Fadmin", "http://127.0.0.1:18999/sparql", False),
    ("http://127.0.0.1:18999/a/../sparql/x", "http://127.0.0.1:18999/sparql", True),
    ("https://example.org:443/q", "https://example.org/", True),
    ("file:///etc/hostname", "file:///etc/", False),
    ("not a url", "http://example.org/", False),
])
def test_allow_service_compares_parsed_urls(endpoint: str, allowed: str, ok: bool) -> None:
    assert service_allowed(endpoint, (allowed,)) is ok


@pytest.mark.parametrize("store_kind", ["rdflib", "oxigraph"])
def test_allowed_service_bypasses_reach_nothing_through_the_cli(listener: Listener,
                                                               store_kind: str) -> None:
    """`--allow-service http://127.0.0.1:PORT/sparql` let `.../sparql/../admin` and a `user@`
    host through; through the command, on both embedded stores, neither reaches the host."""
    allowed = f"http://127.0.0.1:{listener.port}/sparql"
    before = listener.connections
    for endpoint in (f"{allowed}/../admin", f"{allowed}/%2e%2e/admin",
                     f"http://user@127.0.0.1:{listener.port}/sparql"):
        proc = run_cli("sparql", f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
                       "--allow-service", allowed, "--store", store_kind)
        assert proc.returncode == 2 and "is not allowed" in proc.stderr, proc.stderr
    assert listener.connections == before


def test_an_allow_service_url_with_a_user_name_is_refused() -> None:
    proc = run_cli("sparql", "ASK {}", "--allow-service", "http://user@127.0.0.1:1/sparql")
    assert proc.returncode == 2 and "--allow-service" in proc.stderr, proc.stderr
