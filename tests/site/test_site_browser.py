"""The static site in a real headless Chromium, served by a static file server on 127.0.0.1:
every canned query that stores.proven lists, run through its page with the parameters in the
URL, answers as `natoeu query` does; no request leaves the site's origin; the pages' CSP is the
server's (plus WebAssembly); from file:// the pages work, or say why SPARQL cannot.

One site (session), one server and one browser (module); waits happen inside the page
(Browser.until), never as sleeps.
"""

from __future__ import annotations

import csv
import io
import subprocess
from typing import Any
from urllib.parse import urlencode

import pytest
from browser_util import Browser
from query_cases import CASES, rows
from server_util import NATOEU

from natoeu_graph.core.namespaces import INSTANCES_BASE
from natoeu_graph.pipeline.build import Built
from natoeu_graph.site.write import Written
from natoeu_graph.sparql.entities import resolve
from natoeu_graph.sparql.queries import bindings, get_query, list_queries
from natoeu_graph.sparql.results import format_result
from natoeu_graph.stores.backends import RdflibBackend
from natoeu_graph.stores.proven import OXIGRAPH_EQUAL

pytest_plugins = ["site_fixtures"]  # the site, its static server, the browser

PROVEN = [(n, p) for n, p in CASES if n in OXIGRAPH_EQUAL]
# an entity given by its label, resolved in the browser from the site's index
LABELLED = [("sources", {"entity": "Sweden"})]
_DONE = "document.getElementById('engine-status').dataset.state"


def cli_answer(built: Built, res: Any, name: str, params: dict[str, str]) -> str:
    """What `natoeu query NAME -p ... -f csv` prints: its own code path (rdflib on the
    dataset, entity parameters resolved by label), without a process per case."""
    q = get_query(res.queries_dir, name)
    backend = RdflibBackend(built.dataset())
    given = resolve(q, params, lambda text, initial: backend.query(text, initial))
    return format_result(backend.query(q.text, bindings(q, given)), "csv")


def page_answer(browser: Browser, url: str) -> tuple[str, list[list[str]], str]:
    """Open a canned question's page; its CSV download, its table and its status line."""
    browser.load(url)
    state = browser.until(_DONE)
    status = browser.js("document.getElementById('engine-status').textContent")
    assert state == "done", status
    # the CSV download's text, made by the page's own code (its blob: link is for people; the
    # policy's connect-src 'self' keeps a script from reading it back)
    data = browser.js("import(new URL('static/site/results.js', document.querySelector("
                      "'link[rel=stylesheet]').href.replace(/static\\/style.css$/, '')))"
                      ".then(m => m.toCsv(window.natoeuAnswer, ','))")
    assert browser.js("document.querySelector('#row-count a[download$=\".csv\"]').href"
                      ".startsWith('blob:')")
    cells = browser.js("[...document.querySelectorAll('#results tbody tr')]"
                       ".map(r => [...r.cells].map(c => c.innerText))")
    return str(data), cells, str(status)


@pytest.fixture(scope="module")
def first_event(browser: Browser) -> int:
    return len(browser.events)


def test_every_listed_query_is_tested() -> None:
    assert {n for n, _ in PROVEN} == set(OXIGRAPH_EQUAL)


@pytest.mark.parametrize(("name", "params"), PROVEN + LABELLED,
                         ids=[f"{n}{''.join('@' + k + '=' + v for k, v in p.items())}"
                              for n, p in PROVEN + LABELLED])
def test_canned_page_answers_as_natoeu_query(browser: Browser, static_server: str,
                                             first_event: int, built: Built, res: Any,
                                             name: str, params: dict[str, str]) -> None:
    url = f"{static_server}/queries/{name}.html" + (f"?{urlencode(params)}" if params else "")
    data, cells, status = page_answer(browser, url)
    expected = cli_answer(built, res, name, params)
    assert rows(data) == rows(expected)
    assert len(cells) == len(rows(expected)) - 1
    assert "Oxigraph" in status and "proven equal" in status
    # the form shows the parameters the answer is for
    for key, value in params.items():
        assert browser.js(f"document.querySelector('#canned-form input[name={key}]').value") \
            == value


def test_one_case_through_the_real_command(browser: Browser, static_server: str) -> None:
    """The in-process answers above are what the installed `natoeu query` prints."""
    result = subprocess.run([NATOEU, "query", "member-counts", "-p", "date=2018-07-01", "-f",
                             "csv"], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    data, cells, _ = page_answer(browser, f"{static_server}/queries/member-counts.html"
                                          "?date=2018-07-01")
    assert rows(data) == rows(result.stdout)
    assert cells == [row for row in rows(result.stdout)[1:]]


def test_answers_link_the_graph_entities_to_their_pages(browser: Browser,
                                                         static_server: str) -> None:
    page_answer(browser, f"{static_server}/queries/shared-members.html?date=2018-07-01")
    link = browser.js("(() => { const a = document.querySelector('#results tbody a');"
                      " return [a.textContent, a.getAttribute('href'), a.title]; })()")
    assert link[2].startswith(INSTANCES_BASE)
    assert link[1] == f"{static_server}/id/{link[2][len(INSTANCES_BASE):]}.html"
    browser.load(link[1])
    assert browser.js("document.querySelector('h1').textContent") == link[0]


@pytest.mark.parametrize(("query", "message"), [
    ("date=2018-13-01", "is not a date"),
    ("date=2018-07-01&colour=red", "has no parameter colour"),
])
def test_bad_parameters_in_the_url_say_what_is_wrong(browser: Browser, static_server: str,
                                                     query: str, message: str) -> None:
    browser.load(f"{static_server}/queries/member-counts.html?{query}")
    assert browser.until(_DONE) == "error"
    assert message in browser.js("document.getElementById('engine-status').textContent")


def test_an_entity_that_names_nothing_is_refused(browser: Browser, static_server: str) -> None:
    browser.load(f"{static_server}/queries/sources.html?entity=ne:no-such-thing")
    assert browser.until(_DONE) == "error"
    assert "names no entity" in browser.js(
        "document.getElementById('engine-status').textContent")


def test_query_page_runs_yasgui_on_oxigraph(browser: Browser, static_server: str,
                                            graph: Any, res: Any) -> None:
    browser.load(f"{static_server}/query.html")
    browser.until("window.natoeuYasgui && document.getElementById('engine-status')"
                  ".dataset.state === 'ready'")
    names = browser.js("[...document.querySelectorAll('#examples option')].slice(1)"
                       ".map(o => o.textContent.split(' ')[0])")
    assert names == [q.name for q in list_queries(res.queries_dir)]
    # a query without PREFIX lines: the project's prefixes are declared for it
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a natoeu:State ; org:hasMembership ?m }"
    browser.js(f"""(() => {{ const tab = natoeuYasgui.addTab(true, {{name: 'typed'}});
        tab.getYasqe().setValue({query!r}); tab.getYasqe().query(); }})()""")
    cell = browser.until("document.getElementById('engine-status').dataset.state === 'done'"
                         " && document.querySelector('.tabPanel.active .yasr table tbody tr')"
                         " && document.querySelector('.tabPanel.active .yasr table tbody tr')"
                         ".cells[1].innerText.trim()")
    expected = next(iter(graph.query("PREFIX natoeu: <https://w3id.org/natoeu/ontology#>\n"
                                     "PREFIX org: <http://www.w3.org/ns/org#>\n" + query)))[0]
    assert cell == f'"{expected}"^^xsd:integer' and int(expected) > 20
    assert "Oxigraph" in browser.js("document.getElementById('engine-status').textContent")
    # an update is not a query: refused, and said so
    browser.js("""(() => { const y = natoeuYasgui.getTab().getYasqe();
        y.setValue('INSERT DATA { <urn:a> <urn:b> <urn:c> }'); y.query(); })()""")
    assert browser.until("document.getElementById('engine-status').dataset.state === 'error'"
                         " && document.querySelector('.tabPanel.active .yasr').innerText")


def test_a_query_without_prefix_lines_is_valid_in_the_site_editor(browser: Browser,
                                                                  static_server: str) -> None:
    """The editor's checker takes the project's prefixes as declared, as on the server's page;
    an undeclared prefix is still an error, and no PREFIX line is added."""
    browser.load(f"{static_server}/query.html")
    browser.until("window.natoeuYasgui && document.getElementById('engine-status')"
                  ".dataset.state === 'ready'")
    valid = browser.js("""(() => { const y = natoeuYasgui.addTab(true, {name: 'bare'}).getYasqe();
        y.setValue('SELECT ?s WHERE { ?s a natoeu:State ; org:hasMembership ?m } LIMIT 3');
        y.checkSyntax(); const ok = y.queryValid;
        y.setValue('SELECT ?s WHERE { ?s a nosuch:State }'); y.checkSyntax();
        return [ok, y.queryValid, y.getValue().includes('PREFIX')]; })()""")
    assert valid == [True, False, False]


def test_no_request_leaves_the_site(browser: Browser, static_server: str,
                                    first_event: int) -> None:
    """Every request of every page this module opened went to the site itself."""
    # a page that runs a query (WebAssembly and the data), whatever ran before in this module
    browser.load(f"{static_server}/queries/member-counts.html?date=2018-07-01")
    assert browser.until(_DONE) == "done"
    browser.load(f"{static_server}/index.html")
    urls = [ev["params"]["request"]["url"] for ev in browser.events[first_event:]
            if ev["method"] == "Network.requestWillBeSent"]
    assert any(u.endswith(".wasm") for u in urls) and any(u.endswith(".nq") for u in urls)
    assert [u for u in urls if not u.startswith((static_server + "/", "data:", "blob:"))] == []
    problems = [ev for ev in browser.events[first_event:]
                if ev["method"] == "Runtime.exceptionThrown" or (
                    ev["method"] == "Log.entryAdded" and ev["params"]["entry"]["level"] == "error"
                    and "favicon" not in ev["params"]["entry"].get("url", ""))]
    assert problems == []


def test_pages_run_under_the_servers_policy(browser: Browser, static_server: str) -> None:
    browser.load(f"{static_server}/queries/member-counts.html?date=2018-07-01")
    assert browser.until(_DONE) == "done"  # WebAssembly compiled under the page's policy
    policy = browser.js("document.querySelector('meta[http-equiv=Content-Security-Policy]')"
                        ".content")
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "connect-src 'self'" in policy
    probe = browser.call("Runtime.evaluate", session=True, returnByValue=True,
                         allowUnsafeEvalBlockedByCSP=False,
                         expression="(() => { try { eval('1'); return 'ran' }"
                                    " catch (e) { return e.name } })()")
    assert probe["result"]["value"] == "EvalError"


def test_search_and_entity_pages_work_from_disk(browser: Browser, site: Written) -> None:
    root = site.root.as_uri()
    browser.load(f"{root}/search.html?q=finl")
    hits = browser.until("document.querySelectorAll('#hits a').length &&"
                         " [...document.querySelectorAll('#hits a')].map(a => [a.textContent,"
                         " a.href])")
    assert ["Finland", f"{root}/id/FIN.html"] in hits
    browser.load(f"{root}/id/FIN.html")
    assert browser.js("document.title").startswith("Finland")
    assert browser.js("getComputedStyle(document.querySelector('nav')).backgroundColor") == \
        "rgb(31, 59, 92)"  # the stylesheet loaded from disk
    assert browser.js("document.querySelector('a[href=\"FIN.ttl\"]') !== null")


def test_sparql_pages_from_disk_say_why_they_cannot_run(browser: Browser, site: Written) -> None:
    for page in ("query.html", "queries/member-counts.html?date=2018-07-01"):
        browser.load(f"{site.root.as_uri()}/{page}")
        assert browser.until(_DONE) == "file"
        text = browser.js("document.getElementById('engine-status').textContent")
        assert "file://" in text and "http.server" in text


def test_the_csv_download_is_sparql_csv(browser: Browser, static_server: str) -> None:
    data, _, _ = page_answer(browser, f"{static_server}/queries/joint-declarations.html")
    table = list(csv.reader(io.StringIO(data)))
    assert data.endswith("\r\n") and len(table) > 2 and table[0][0] == "declaration"
