"""Pages and outputs that stay safe whatever the data or the query says (a live server)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from server_util import LiveServer, start_server


@pytest.fixture(scope="module")
def live(built: Any) -> Iterator[LiveServer]:
    yield from start_server()


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_only_web_iris_become_links(live: LiveServer) -> None:
    query = ("SELECT ?x ?y WHERE { BIND(<javascript:alert(document.domain)> AS ?x) "
             "BIND(<https://example.org/ok> AS ?y) }")
    status, _, body = live.request("/query?query=" + quote(query), headers=HTML)
    assert status == 200
    page = body.decode()
    assert "javascript:alert(document.domain)" in page  # shown as text
    assert 'href="javascript:' not in page.lower()
    assert 'href="https://example.org/ok"' in page


def test_pages_carry_a_content_security_policy(live: LiveServer) -> None:
    for path in ("/", "/query", "/id/NATO?format=html", "/queries", "/classes"):
        status, headers, body = live.request(path, headers=HTML)
        assert status == 200, path
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1] \
            .split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert b"<script>" not in body  # no inline script: every script is a /static file
        assert headers["x-content-type-options"] == "nosniff"


def test_xml_results_refuse_what_xml_cannot_carry(live: LiveServer) -> None:
    query = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    status, _, body = live.request("/sparql?query=" + quote(query),
                                   headers={"Accept": "application/sparql-results+xml"})
    assert status == 406, body
    doc = json.loads(body)
    assert doc["error"] == "not_representable" and "U+0001" in doc["message"]
    status, _, body = live.request("/sparql?query=" + quote(query),
                                   headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "a\x01b"
    # an ordinary literal with markup characters stays well-formed XML
    query = 'SELECT ?x WHERE { BIND("<b>&amp;\\"é" AS ?x) }'
    status, _, body = live.request("/sparql?query=" + quote(query),
                                   headers={"Accept": "application/sparql-results+xml"})
    assert status == 200
    root = ElementTree.fromstring(body)
    assert root.find(".//{http://www.w3.org/2005/sparql-results#}literal").text == '<b>&amp;"é'


def test_cors_preflight_allows_what_browser_clients_send(live: LiveServer) -> None:
    status, headers, _ = live.request("/sparql", method="OPTIONS", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept, x-requested-with"})
    assert status == 204
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "accept", "x-requested-with", "if-none-match"} <= allowed
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["access-control-allow-origin"] == "*"


def test_browser_opening_the_endpoint_gets_the_query_page(live: LiveServer) -> None:
    req = urllib.request.Request(live.url + "/sparql", headers=HTML)
    with urllib.request.urlopen(req, timeout=30) as resp:  # follows the redirect
        assert resp.status == 200
        assert resp.headers["content-type"].startswith("text/html")
        assert resp.url.endswith("/query")
        assert b'<form method="get" action="/query"' in resp.read()
    # a SPARQL client still gets the service description
    status, headers, _ = live.request("/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
