"""Fixtures of the site tests: the static site, written once per test process by the library
(what `natoeu site` calls), a static file server on 127.0.0.1 and a headless browser.

Test modules load them as a plugin (``pytest_plugins = ["site_fixtures"]``), so the site is
built once per test process however many modules use it (a conftest.py here would shadow the
root one, whose helpers other test modules import by the name ``conftest``).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_util import Browser

from natoeu_graph.core.context import load_context
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.site.write import Written, write_site

TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".jsonld": "application/ld+json",
         ".nt": "application/n-triples", ".ttl": "text/turtle", ".nq": "application/n-quads",
         ".svg": "image/svg+xml", ".json": "application/json"}


@pytest.fixture(scope="session")
def site(built: Built, res: Resources, tmp_path_factory: pytest.TempPathFactory) -> Written:
    out = tmp_path_factory.mktemp("site") / "site"
    return write_site(built, res, out, load_context(res.context), res.context.read_bytes())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (the base class's own attribute, extended)
        **http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def static_server(site: Written) -> Iterator[str]:
    """http://127.0.0.1:PORT serving the site folder, as any static host would."""
    handler = functools.partial(_Quiet, directory=str(site.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="natoeu-chromium-"))
    b = Browser(profile)
    for domain in ("Network", "Runtime", "Log"):  # requests and console messages, as events
        b.call(f"{domain}.enable", session=True)
    yield b
    b.close()
    shutil.rmtree(profile, ignore_errors=True)
