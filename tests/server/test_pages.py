"""Pages in a real headless browser: Debian's chromium, driven over the DevTools protocol.

The browser is started with --remote-debugging-pipe (messages on fds 3 and 4), so no driver
binary, no npm package and no network port is needed: only the `chromium` package.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_util import LiveServer, start_server

import natoeu_graph

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-dev-shm-usage", "--remote-debugging-pipe", "--window-size=1280,900"]


class Browser:
    """A minimal DevTools-protocol client over chromium's debugging pipe."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # chromium reads commands on fd 3 and writes replies on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4, to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Page.enable", session=True)

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            while b"\0" not in self._buf:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the debugging pipe")
                self._buf += chunk
            raw, self._buf = self._buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
        raise TimeoutError(method)

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           returnByValue=True, awaitPromise=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(expression)

    def open(self, url: str) -> None:
        self.call("Page.navigate", session=True, url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href === {url!r}")

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        os.close(self._to_chrome)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._from_chrome)


@pytest.fixture(scope="module")
def server(built: Any) -> Iterator[LiveServer]:
    yield from start_server()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="natoeu-chromium-"))
    b = Browser(profile)
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


def test_query_editor_shows_a_table_with_downloads(server: LiveServer, browser: Browser,
                                                   tmp_path: Path) -> None:
    browser.open(server.url + "/query")
    browser.js("document.querySelector('#editor button').click()")  # the example query
    browser.wait_for("!!document.querySelector('#results tbody tr')")
    assert browser.js("document.querySelectorAll('#results tbody tr').length") >= 30
    links = browser.js("[...document.querySelectorAll('#row-count a')].map(a => a.innerText)")
    assert links == ["json", "xml", "csv", "tsv"]
    shot = tmp_path / "query.png"
    browser.screenshot(shot)
    shutil.copy(shot, "/tmp/natoeu-server-screenshot.png")
    browser.open(server.url + "/id/FIN")
    browser.screenshot(tmp_path / "entity.png")
    shutil.copy(tmp_path / "entity.png", "/tmp/natoeu-server-entity.png")
