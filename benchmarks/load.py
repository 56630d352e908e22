"""Bounded load test of `natoeu serve` on 127.0.0.1 (not a timed test; run by hand).

Starts a server on a free port, then for a fixed number of seconds sends cheap canned queries
from a few client threads: first alone, then with one slow ad-hoc query running alongside (it
is killed at the deadline and resent). Reports throughput and p50/p99 latency; stops by itself.

    python benchmarks/load.py [--seconds 15] [--clients 4]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

CHEAP = ["/queries/member-counts?date=2018-07-01", "/queries/shared-members?date=2018-07-01",
         "/queries/post-holder?date=2016-07-08", "/queries/joint-declarations"]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"


def _get(url: str, data: bytes | None = None) -> int:
    req = urllib.request.Request(url, data=data, headers={
        "Accept": "application/sparql-results+json",
        **({"Content-Type": "application/x-www-form-urlencoded"} if data else {})})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as err:
        err.read()
        return int(err.code)


def phase(base: str, seconds: float, clients: int, with_slow: bool) -> dict[str, float]:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(i: int) -> None:
        nonlocal errors
        n = i
        while time.monotonic() < stop:
            start = time.monotonic()
            status = _get(base + CHEAP[n % len(CHEAP)])
            with lock:
                latencies.append(time.monotonic() - start)
                errors += status != 200
            n += 1

    def slow() -> None:
        while time.monotonic() < stop:
            _get(base + "/sparql", urlencode({"query": SLOW}).encode())

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    if with_slow:
        threads.append(threading.Thread(target=slow))
        threads[-1].start()
        time.sleep(0.3)
    for t in threads[:clients]:
        t.start()
    for t in threads:
        t.join()
    qs = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / seconds,
            "p50_ms": 1000 * qs[49], "p99_ms": 1000 * qs[98]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5)
    args = ap.parse_args()
    natoeu = shutil.which("natoeu") or str(Path(sys.executable).with_name("natoeu"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([natoeu, "serve", "--port", str(port), "--workers",
                             str(args.workers), "--timeout", str(args.timeout)],
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if _get(base + "/sparql") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.2)
        print(f"{args.workers} workers, {args.clients} clients, {args.seconds:g} s per phase, "
              f"slow query deadline {args.timeout:g} s")
        for label, with_slow in (("cheap only", False), ("cheap + 1 slow", True)):
            r = phase(base, args.seconds, args.clients, with_slow)
            print(f"{label:15} {r['requests']:6.0f} req  {r['rps']:7.1f} req/s  "
                  f"p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  "
                  f"errors {r['errors']:.0f}")
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
