"""Pages in a real headless browser: Debian's chromium, driven over the DevTools protocol.

The browser is started with --remote-debugging-pipe (messages on fds 3 and 4), so no driver
binary, no npm package and no network port is needed: only the `chromium` package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from browser_util import Browser
from refresh_yasgui import check
from server_util import LiveServer, start_server

import natoeu_graph
from natoeu_graph.core.namespaces import INSTANCES_BASE, TERMS_BASE
from natoeu_graph.sparql.queries import get_query, inline, list_queries, run_canned

STATIC = Path(natoeu_graph.__file__).parent / "server" / "static"


@pytest.fixture(scope="module")
def server(built: Any) -> Iterator[LiveServer]:
    yield from start_server()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="natoeu-chromium-"))
    b = Browser(profile)
    for domain in ("Network", "Runtime", "Log"):  # requests and console messages, as events
        b.call(f"{domain}.enable", session=True)
    yield b
    b.close()
    shutil.rmtree(profile, ignore_errors=True)


def text_of(browser: Browser, selector: str) -> str:
    return str(browser.js(f"(document.querySelector({selector!r}) || {{}}).innerText || ''"))


def test_entity_page(server: LiveServer, browser: Browser, tmp_path: Path) -> None:
    browser.open(server.url + "/id/FIN")
    assert browser.js("document.title").startswith("Finland")
    assert "Finland is a" in text_of(browser, "#types")
    assert browser.js("!!document.querySelector('#same-as a[href^=\"http://www.wikidata.org/\"]')")
    assert browser.js("document.querySelectorAll('#source-list li').length") >= 1
    assert browser.js("!!document.querySelector('a[href=\"/id/membership-fin-nato\"]')")
    assert "member of NATO" in text_of(browser, "#related-facts")
    browser.screenshot(tmp_path / "entity.png")


def test_entity_page_folds_entailed_copies(server: LiveServer, browser: Browser,
                                           tmp_path: Path) -> None:
    browser.open(server.url + "/id/joint-declaration-2016")
    facts = text_of(browser, "#facts")
    assert "signature" in facts and "qualifiedAttribution" not in facts
    # folded, closed, and there on demand
    assert browser.js("document.querySelector('#inferred-copies').open") is False
    assert "qualifiedAttribution" in browser.js(
        "document.querySelector('#inferred-copies').textContent")
    browser.js("document.querySelector('#inferred-copies').open = true")
    assert "qualifiedAttribution" in text_of(browser, "#inferred-copies")
    browser.screenshot(tmp_path / "entity-folded.png")


def test_class_index(server: LiveServer, browser: Browser) -> None:
    browser.open(server.url + "/classes/State")
    names = browser.js("[...document.querySelectorAll('#instances a')].map(a => a.innerText)")
    assert "Finland" in names and "Belgium" in names
    browser.open(server.url + "/classes")
    assert browser.js("document.querySelectorAll('#classes tbody tr').length") > 20


def test_pages_use_the_docs_stylesheet_and_the_server_additions(server: LiveServer,
                                                                browser: Browser) -> None:
    templates = Path(natoeu_graph.__file__).parent / "outputs" / "templates"
    docs_css = (templates / "style.css").read_bytes()
    status, headers, body = server.request("/static/style.css")
    assert (status, body) == (200, docs_css) and headers["content-type"].startswith("text/css")
    status, _, _ = server.request("/static/style.css", headers={"If-None-Match": headers["etag"]})
    assert status == 304
    status, _, extra = server.request("/static/server.css")
    assert status == 200
    rules = {line for line in docs_css.decode().splitlines() if "{" in line}
    assert rules and not rules & set(extra.decode().splitlines())  # additions only, no copy
    browser.open(server.url + "/queries")
    sheets = browser.js("[...document.styleSheets].map(s => [new URL(s.href).pathname,"
                        " s.cssRules.length])")
    assert [s[0] for s in sheets] == ["/static/style.css", "/static/server.css"]
    assert all(n > 5 for _, n in sheets)
    # a docs rule (the nav bar) and a server rule (space between the nav links) both apply
    assert browser.js("getComputedStyle(document.querySelector('nav')).backgroundColor") == \
        "rgb(31, 59, 92)"
    assert browser.js("getComputedStyle(document.querySelectorAll('nav a')[1]).marginRight") == \
        "18px"


def test_canned_query_runs_from_its_form(server: LiveServer, browser: Browser,
                                         tmp_path: Path) -> None:
    browser.open(server.url + "/queries")
    browser.js("""(() => {
        const form = document.querySelector('#q-member-counts form');
        form.querySelector('input[name=date]').value = '2018-07-01';
        form.querySelector('button').click(); })()""")
    browser.wait_for("!!document.querySelector('#results tbody tr')")
    cells = browser.js("[...document.querySelectorAll('#results tbody td')].map(c => c.innerText)")
    assert cells == ["2018-07-01", "29", "28", "22"]
    assert "date=2018-07-01" in browser.js("location.search")
    shot = tmp_path / "canned.png"
    browser.screenshot(shot)
    assert shot.stat().st_size > 5000


def test_query_page_without_scripts_is_a_form_with_a_table(server: LiveServer, browser: Browser,
                                                            tmp_path: Path) -> None:
    browser.call("Emulation.setScriptExecutionDisabled", session=True, value=True)
    try:
        browser.open(server.url + "/query")
        assert browser.js("document.getElementById('query-page').hidden")  # YASGUI stays off
        browser.js("document.querySelector('#editor button').click()")  # the example query
        browser.wait_for("!!document.querySelector('#results tbody tr')")
        assert browser.js("document.querySelectorAll('#results tbody tr').length") >= 30
        links = browser.js("[...document.querySelectorAll('#row-count a')].map(a => a.innerText)")
        assert links == ["json", "xml", "csv", "tsv"]
        shot = tmp_path / "query.png"
        browser.screenshot(shot)
        shutil.copy(shot, "/tmp/natoeu-server-screenshot.png")
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=False)
    browser.open(server.url + "/id/FIN")
    browser.screenshot(tmp_path / "entity.png")
    shutil.copy(tmp_path / "entity.png", "/tmp/natoeu-server-entity.png")


# ---- the query page: YASGUI, offline, under the server's Content-Security-Policy -----------

# The policy the server sends (added to the page's response here when the server sends none).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'")


def _serve_with_csp(browser: Browser, server: LiveServer, url: str) -> None:
    """Open ``url`` with the CSP header on its response, answering the browser's request from
    the server (a DevTools override: chromium parses CSP from the response it is given)."""

    def fulfil(event: dict[str, Any]) -> None:
        if event["method"] != "Fetch.requestPaused":
            return
        p = event["params"]
        path = p["request"]["url"][len(server.url):]
        status, headers, body = server.request(path, headers={"Accept": "text/html"})
        if "content-security-policy" not in headers:
            headers["content-security-policy"] = CSP
        browser.send("Fetch.fulfillRequest", session=True, requestId=p["requestId"],
                     responseCode=status, body=base64.b64encode(body).decode(),
                     responseHeaders=[{"name": k, "value": v} for k, v in headers.items()])

    browser.on_event = fulfil
    browser.call("Fetch.enable", session=True, patterns=[
        {"urlPattern": url, "resourceType": "Document", "requestStage": "Request"}])
    try:
        browser.open(url)
    finally:
        browser.call("Fetch.disable", session=True)
        browser.on_event = None


def _problems(events: list[dict[str, Any]]) -> list[str]:
    """Console errors and warnings, uncaught exceptions and browser-logged errors."""
    out = []
    for ev in events:
        p = ev["params"]
        if ev["method"] == "Runtime.consoleAPICalled" and p["type"] in ("error", "warning"):
            out.append(p["type"] + ": " + " ".join(str(a.get("value", a.get("description")))
                                                   for a in p["args"]))
        elif ev["method"] == "Runtime.exceptionThrown":
            out.append("exception: " + str(p["exceptionDetails"]))
        elif ev["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append("log: " + p["entry"]["text"])
    return out


def test_yasgui_runs_a_canned_example_offline(server: LiveServer, browser: Browser, res: Any,
                                              graph: Any, tmp_path: Path) -> None:
    browser.call("Page.addScriptToEvaluateOnNewDocument", session=True, source=(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"))
    first = len(browser.events)
    _serve_with_csp(browser, server, server.url + "/query")
    browser.wait_for("!!document.querySelector('#yasgui .yasqe .CodeMirror')")
    # the policy is in force: a page script may not eval
    probe = browser.call("Runtime.evaluate", session=True, returnByValue=True,
                         allowUnsafeEvalBlockedByCSP=False,
                         expression="(() => { try { eval('1'); return 'ran' }"
                                    " catch (e) { return e.name } })()")
    assert probe["result"]["value"] == "EvalError"
    browser.wait_for("window.__csp.length > 0")
    assert browser.js("window.__csp") == ["script-src eval"]
    probe_at = len(browser.events)

    # the examples are the canned queries, from the query files
    names = browser.js("[...document.querySelectorAll('#examples option')].slice(1)"
                       ".map(o => o.textContent.split(' ')[0])")
    assert names == [q.name for q in list_queries(res.queries_dir)]
    browser.js("""(() => { const s = document.getElementById('examples');
        s.selectedIndex = [...s.options].findIndex(
            o => o.textContent.startsWith('joint-declarations '));
        s.dispatchEvent(new Event('change')); })()""")
    browser.wait_for("natoeuYasgui.getTab().getName() === 'joint-declarations'")
    browser.js("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")
    browser.wait_for("document.querySelectorAll('.tabPanel.active .yasr table tbody tr').length")
    head = browser.js("[...document.querySelectorAll('.tabPanel.active .yasr table thead th')]"
                      ".map(c => c.innerText.trim())")
    cells = browser.js("[...document.querySelectorAll('.tabPanel.active .yasr table tbody tr')]"
                       ".map(r => [...r.cells].map(c => c.innerText.trim()))")
    # the same answer from rdflib here; YASR shows IRIs with the declared prefixes
    result = run_canned(graph, get_query(res.queries_dir, "joint-declarations"), {})
    expected = sorted((f"ne:{row['signatory'][len(INSTANCES_BASE):]}", f'"{row["name"]}"@en')
                      for row in result)
    got = sorted((row[head.index("signatory")], row[head.index("name")]) for row in cells)
    assert got == expected and len(expected) >= 6
    # the graph's IRIs open this server's pages, not the w3id.org redirects
    href = browser.js("""(() => { const a = document.querySelector('.tabPanel.active .yasr a.iri');
        a.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
        return a.getAttribute('href'); })()""")
    assert href == "/id/joint-declaration-2016" and server.request(href)[0] == 200
    browser.screenshot(tmp_path / "query-page.png", full_page=True)
    assert (tmp_path / "query-page.png").stat().st_size > 20000
    shutil.copy(tmp_path / "query-page.png", "/tmp/natoeu-query-page.png")

    events = browser.events[first:]
    urls = [ev["params"]["request"]["url"] for ev in events
            if ev["method"] == "Network.requestWillBeSent"]
    assert server.url + "/sparql" in urls and server.url + "/query/prefixes.json" in urls
    assert [u for u in urls if not u.startswith((server.url + "/", "data:"))] == []
    assert browser.js("window.__csp") == ["script-src eval"]  # nothing but the probe
    assert _problems(browser.events[probe_at:]) == []
    assert [p for p in _problems(events[:probe_at - first]) if "unsafe-eval" not in p] == []


def test_yasgui_adds_a_prefix_declaration_as_you_type(server: LiveServer,
                                                      browser: Browser) -> None:
    first = len(browser.events)
    browser.open(server.url + "/query")
    browser.wait_for("!!window.natoeuYasgui")
    browser.js("""(() => { const tab = natoeuYasgui.addTab(true, {name: 'typing'});
        const y = tab.getYasqe(); y.setValue('SELECT * WHERE { ?s a '); y.focus();
        y.getDoc().setCursor(y.getDoc().lineCount(), 0); })()""")
    browser.call("Input.insertText", session=True, text="natoeu:")
    text = browser.wait_for("natoeuYasgui.getTab().getYasqe().getValue().includes('PREFIX') &&"
                            " natoeuYasgui.getTab().getYasqe().getValue()")
    assert f"PREFIX natoeu: <{TERMS_BASE}>" in text
    assert _problems(browser.events[first:]) == []


def test_a_shared_link_runs_here_whatever_endpoint_it_names(server: LiveServer,
                                                            browser: Browser, graph: Any) -> None:
    query = f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s a <{TERMS_BASE}State> }}"
    first = len(browser.events)
    browser.open(server.url + "/query?" + urlencode(
        {"query": query, "endpoint": "http://example.org/sparql"}))
    cells = browser.wait_for(
        "natoeuYasgui.getTab().getQuery().includes('COUNT') && [...document.querySelectorAll("
        "'.tabPanel.active .yasr table tbody td')].map(c => c.innerText.trim())")
    expected = next(iter(graph.query(query)))[0]
    assert cells[1] == f'"{expected}"^^xsd:integer'
    assert browser.js("natoeuYasgui.getTab().getEndpoint()") == server.url + "/sparql"
    urls = [ev["params"]["request"]["url"] for ev in browser.events[first:]
            if ev["method"] == "Network.requestWillBeSent"]
    assert server.url + "/sparql" in urls
    assert [u for u in urls if not u.startswith((server.url + "/", "data:"))] == []
    assert _problems(browser.events[first:]) == []


def test_query_page_data_comes_from_the_query_files(server: LiveServer, res: Any) -> None:
    status, _, body = server.request("/query/config.json")
    assert status == 200
    doc = json.loads(body)
    queries = list_queries(res.queries_dir)
    assert [e["name"] for e in doc["examples"]] == [q.name for q in queries]
    by_name = {e["name"]: e["query"] for e in doc["examples"]}
    assert by_name["sources"] == inline(get_query(res.queries_dir, "sources"))
    assert not [line for line in by_name["sources"].splitlines()
                if "?_" in line and not line.startswith("#")]
    assert doc["endpoint"] == "/sparql"
    status, _, body = server.request("/query/prefixes.json")
    assert status == 200 and json.loads(body) == doc["prefixes"]
    assert doc["prefixes"]["ne"] == INSTANCES_BASE and doc["prefixes"]["natoeu"] == TERMS_BASE


def test_yasgui_is_served_as_vendored(server: LiveServer) -> None:
    lock = json.loads((STATIC / "yasgui" / "yasgui.lock.json").read_text(encoding="utf-8"))
    assert lock["package"] == "@triply/yasgui" and lock["license"] == "MIT"
    assert check() == []  # the files in the tree are those the lock file names
    for name, digest in lock["files"].items():
        status, _, body = server.request(f"/static/yasgui/{name}")
        assert status == 200 and "sha256-" + hashlib.sha256(body).hexdigest() == digest


def test_a_query_without_prefix_lines_is_valid_in_the_editor(server: LiveServer,
                                                             browser: Browser) -> None:
    """The server declares the project's prefixes for every query; YASQE marked a query that
    used them without PREFIX lines as an error. An undeclared prefix is still one."""
    first = len(browser.events)
    browser.open(server.url + "/query")
    browser.wait_for("!!window.natoeuYasgui")
    valid = browser.js("""(() => { const y = natoeuYasgui.addTab(true, {name: 'bare'}).getYasqe();
        y.setValue('SELECT ?s WHERE { ?s a natoeu:State ; org:hasMembership ?m } LIMIT 3');
        y.checkSyntax(); const ok = y.queryValid;
        y.setValue('SELECT ?s WHERE { ?s a nosuch:State }'); y.checkSyntax();
        return [ok, y.queryValid, y.getValue().includes('PREFIX')]; })()""")
    assert valid == [True, False, False]
    browser.js("""(() => { const y = natoeuYasgui.getTab().getYasqe();
        y.setValue('SELECT (COUNT(?s) AS ?n) WHERE { ?s a natoeu:State }'); })()""")
    browser.js("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")
    cells = browser.wait_for("[...document.querySelectorAll("
                             "'.tabPanel.active .yasr table tbody td')].map(c => c.innerText)")
    assert cells and "xsd:integer" in cells[-1]
    assert _problems(browser.events[first:]) == []


def test_the_editor_page_tells_what_from_may_name(server: LiveServer) -> None:
    status, _, body = server.request("/query", headers={"Accept": "text/html"})
    text = body.decode()
    assert status == 200 and "FROM and SERVICE are refused" not in text
    assert "FROM and FROM NAMED may name the server's own graphs" in text.replace("&#39;", "'")
