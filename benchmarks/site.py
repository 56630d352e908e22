"""Benchmark: the static site (`natoeu site`) beside `natoeu serve`, in one run. Not a test.

    pip install '.[bench]'
    python benchmarks/site.py [--runs 5]

- build: `natoeu site -o DIR` as a whole process (warm graph cache), beside `natoeu release`
  and `python -c "import rdflib"`, medians of 3;
- time to the first answer of a canned question in headless Chromium (Debian's chromium), the
  site served by a static file server on 127.0.0.1: a new browser profile per run (nothing
  cached: the engine, 4 MB of WebAssembly, and the data are fetched, compiled and loaded), then
  the same page again in that browser (HTTP cache); beside the same question's page from
  `natoeu serve` (answered on the server: each run a date not asked before, then a repeat);
- page weights: bytes the canned page and the query page transfer, and the largest files raw
  and gzip-compressed (what a static host or CDN sends with compression on).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_util import Browser  # noqa: E402
from server_util import free_port  # noqa: E402

BIN = Path(sys.executable).parent
NATOEU = str(BIN / "natoeu")
CANNED = "/queries/member-counts.html?date={date}"
SERVED = "/queries/member-counts?date={date}"
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".nq": "application/n-quads"}


def timed(cmd: list[str], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,  # noqa: RUF012
                      **TYPES}

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def browser() -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="natoeu-bench-chromium-"))
    b = Browser(profile)
    b.call("Network.enable", session=True)
    try:
        yield b
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


def transferred(b: Browser, since: int) -> int:
    return sum(int(ev["params"].get("encodedDataLength", 0)) for ev in b.events[since:]
               if ev["method"] == "Network.loadingFinished")


def site_answer(b: Browser, url: str) -> dict[str, float]:
    """Load a canned page and wait for its answer; times from the navigation's start."""
    since = len(b.events)
    b.load(url)
    state = b.until("document.getElementById('engine-status').dataset.state", 60000)
    assert state == "done", b.js("document.getElementById('engine-status').textContent")
    timing = b.js("window.natoeuTiming")
    b.until("document.readyState === 'complete'")
    return {"answer_ms": timing["answered"], "engine_ms": timing["engine"],
            "data_ms": timing["data"], "query_ms": timing["query"],
            "bytes": transferred(b, since)}


def served_answer(b: Browser, url: str) -> dict[str, float]:
    since = len(b.events)
    b.load(url)
    assert b.js("document.querySelectorAll('#results tbody tr').length") == 1
    ms = b.js("performance.getEntriesByType('navigation')[0].loadEventEnd")
    return {"answer_ms": ms, "bytes": transferred(b, since)}


@contextmanager
def natoeu_serve() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([NATOEU, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(url + "/sparql", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("natoeu serve did not start") from None
                time.sleep(0.2)  # a benchmark, not a test: waiting for start-up is fine
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def med(rows: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="natoeu-bench-site-"))
    try:
        subprocess.run([NATOEU, "release", "-o", str(tmp / "warm")], check=True,
                       capture_output=True)  # the graph cache is warm from here on
        print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
              f"{platform.python_implementation()} {platform.python_version()}, "
              f"{os.cpu_count()} CPUs, {platform.machine()}, load average "
              f"{os.getloadavg()[0]:.2f}\n")
        build = timed([NATOEU, "site", "-o", str(tmp / "site")])
        release = timed([NATOEU, "release", "-o", str(tmp / "release")])
        imp = timed([sys.executable, "-c", "import rdflib"])
        site = tmp / "site"
        files = [p for p in site.rglob("*") if p.is_file()]
        print("| command (whole process, median of 3) | seconds |")
        print("|---|---|")
        print(f"| natoeu site -o DIR ({len(files)} files, "
              f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB) | {build:.2f} |")
        print(f"| natoeu release -o DIR | {release:.2f} |")
        print(f"| python -c \"import rdflib\" | {imp:.2f} |")
        print(f"\nsite / release: {build / release:.1f}x\n")

        dates = [f"2018-07-{d:02d}" for d in range(1, args.runs + 1)]
        cold, warm, served_cold, served_warm = [], [], [], []
        with static_server(site) as base:
            for date in dates:
                with browser() as b:
                    cold.append(site_answer(b, base + CANNED.format(date=date)))
                    warm.append(site_answer(b, base + CANNED.format(date=date)))
            with browser() as b:
                since = len(b.events)
                b.load(base + "/query.html")
                b.until("document.getElementById('engine-status').dataset.state === 'ready'",
                        60000)
                query_page = transferred(b, since)
        with natoeu_serve() as url, browser() as b:
            for date in dates:
                served_cold.append(served_answer(b, url + SERVED.format(date=date)))
                served_warm.append(served_answer(b, url + SERVED.format(date=date)))
        print(f"member-counts on {args.runs} dates; medians, ms from the navigation's start to "
              "the answer on screen")
        print()
        print("| where the answer is computed | first visit | again (HTTP cache) | "
              "bytes, first visit |")
        print("|---|---|---|---|")
        print(f"| static site, in the browser (Oxigraph WebAssembly) | "
              f"{med(cold, 'answer_ms'):.0f} | {med(warm, 'answer_ms'):.0f} | "
              f"{med(cold, 'bytes'):.0f} |")
        print(f"| natoeu serve (server-side, a date not asked before / repeated) | "
              f"{med(served_cold, 'answer_ms'):.0f} | {med(served_warm, 'answer_ms'):.0f} | "
              f"{med(served_cold, 'bytes'):.0f} |")
        print()
        print(f"in the browser, first visit: engine {med(cold, 'engine_ms'):.0f} ms, data "
              f"{med(cold, 'data_ms'):.0f} ms, query {med(cold, 'query_ms'):.0f} ms; again: "
              f"engine {med(warm, 'engine_ms'):.0f}, data {med(warm, 'data_ms'):.0f}, query "
              f"{med(warm, 'query_ms'):.0f}")
        print(f"first answer, site / natoeu serve: "
              f"{med(cold, 'answer_ms') / med(served_cold, 'answer_ms'):.1f}x; target 2000 ms: "
              f"{'met' if med(cold, 'answer_ms') <= 2000 else 'NOT met'}")
        print(f"the query page (YASGUI, engine and data loaded) transfers {query_page} bytes")
        print()
        print("| file | bytes | gzip -6 |")
        print("|---|---|---|")
        version = next((site / "release").iterdir()).name
        for rel in ("static/oxigraph/web_bg.wasm", f"release/{version}/natoeu-inferred.nq",
                    "static/yasgui/yasgui.min.js", "static/site/index.js",
                    "queries/member-counts.html", "id/FIN.html"):
            data = (site / rel).read_bytes()
            print(f"| {rel} | {len(data)} | {len(gzip.compress(data, 6))} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
