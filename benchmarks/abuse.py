"""The attacks of issue 22 on `natoeu serve` with its defaults, at full scale; prints figures.

    python benchmarks/abuse.py [--only NAME ...]

- slow-readers: 150 connections ask for an 8 MB cached answer and never read it; the memory
  (PSS, summed over the server, its spawners and workers) before, while they wait, and after.
- idle-sockets: one address keeps 1,100 idle sockets open (re-opened as soon as one is
  closed); the share of another address's cheap requests answered 200.
- unknown-labels: 20 threads of one client ask for distinct unknown labels; another client's
  uncached canned query, its latency quiet and meanwhile (medians).
- cache-cost: 100,000 distinct /id/<unknown> requests; the server's memory growth, against
  the cache's 64 MiB bound.
- dilution: 60 slow ad-hoc queries from 127.0.0.2-61 (one host); the statuses of another
  client's ad-hoc queries and the p99 of its cached answers.
- forwarded: six slow queries from 127.0.0.1, each with a different X-Forwarded-For; how many
  get 429 (the header is not trusted by default).
- dead-worker: every idle cheap worker killed; the status of the next uncached request.

Each attack runs against a server of its own. Not a test: figures only (tests/server/
test_abuse.py asserts the same properties at a small scale).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

BIN = Path(sys.executable).parent
BIG = "SELECT * WHERE {?a ?p ?x . ?b ?q ?y . ?c ?r ?z} LIMIT 10000"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
CHEAP = "/queries/member-counts?date=2018-07-01"
JSON = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(*extra: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    log = open(f"/tmp/natoeu-abuse-{port}.log", "wb")  # noqa: SIM115 (kept for the report)
    proc = subprocess.Popen([str(BIN / "natoeu"), "serve", "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if get(port, "/sparql")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the server did not start")
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
        size = Path(log.name).stat().st_size
        print(f"  (server stderr: {size} bytes)")


def get(port: int, path: str, source: str = "127.0.0.1", headers: dict[str, str] | None = None,
        timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or JSON)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def family(pid: int) -> list[int]:
    out = [pid]
    path = Path(f"/proc/{pid}/task/{pid}/children")
    for child in path.read_text().split() if path.exists() else []:
        out += family(int(child))
    return out


def pss_each(pid: int) -> dict[int, float]:
    """PSS in MiB of each process of the family (the server first)."""
    out = {}
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    out[p] = int(line.split()[1]) / 1024
        except OSError:
            pass
    return out


def pss_mib(pid: int) -> float:
    total = 0
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def timed(fn: Callable[[], tuple[int, bytes]]) -> tuple[float, int]:
    start = time.perf_counter()
    status, _ = fn()
    return time.perf_counter() - start, status


def slow_readers() -> None:
    with serve() as (port, proc):
        path = "/sparql?query=" + quote(BIG)
        for _ in range(3):  # on a busy machine the first computation may pass the deadline
            status, body = get(port, path)
            if status == 200:
                break
        if status != 200:
            raise RuntimeError(f"the big answer was not computed: {status}")
        time.sleep(2)
        before = pss_mib(proc.pid)
        each_before = pss_each(proc.pid)
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {JSON['Accept']}\r\n\r\n".encode()
        socks = []
        for _ in range(150):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port))
            s.sendall(request)
            socks.append(s)
        peak, each_peak = before, each_before
        for _ in range(6):
            time.sleep(1)
            now = pss_mib(proc.pid)
            if now > peak:
                peak, each_peak = now, pss_each(proc.pid)
        for s in socks:
            s.close()
        time.sleep(2)
        after = pss_mib(proc.pid)
        print("  server process alone:", f"{each_before.get(proc.pid, 0):.0f} ->",
              f"{each_peak.get(proc.pid, 0):.0f} MiB; by process before/peak:",
              {k: round(v) for k, v in each_before.items()},
              {k: round(v) for k, v in each_peak.items()})
        print(f"slow-readers: answer {len(body) / 1e6:.1f} MB ({status}); PSS before "
              f"{before:.0f} MiB, peak with 150 readers {peak:.0f} MiB (+{peak - before:.0f}), "
              f"after {after:.0f} MiB")


def idle_sockets() -> None:
    with serve() as (port, _):
        stop = threading.Event()

        def hog() -> None:
            socks: list[socket.socket] = []
            while not stop.is_set():
                while len(socks) < 1100 and not stop.is_set():
                    try:
                        socks.append(socket.create_connection(
                            ("127.0.0.1", port), timeout=5, source_address=("127.0.0.2", 0)))
                    except OSError:
                        time.sleep(0.01)
                for s in list(socks):  # drop those the server closed, to reopen them
                    s.setblocking(False)
                    try:
                        if s.recv(4096) == b"":
                            raise OSError
                    except BlockingIOError:
                        continue
                    except OSError:
                        s.close()
                        socks.remove(s)
                stop.wait(0.05)
            for s in socks:
                s.close()

        thread = threading.Thread(target=hog)
        thread.start()
        time.sleep(5)
        statuses: Counter[object] = Counter()
        for k in range(200):
            try:
                statuses[get(port, f"/queries/member-counts?date=2018-07-{1 + k % 28:02d}",
                             "127.0.1.1", timeout=10)[0]] += 1
            except OSError as exc:
                statuses[type(exc).__name__] += 1
        stop.set()
        thread.join()
        ok = statuses[200] / sum(statuses.values())
        print(f"idle-sockets: one address holding 1,100 idle sockets; another address's 200 "
              f"cheap requests: {ok:.1%} answered 200 ({dict(statuses)})")


def unknown_labels() -> None:
    with serve() as (port, _):
        days = iter(range(10_000))

        def canned() -> tuple[int, bytes]:  # a date never asked before: no cache hit
            day = next(days)
            return get(port, f"/queries/member-counts?date={1950 + day // 300}-"
                       f"{1 + day // 28 % 12:02d}-{1 + day % 28:02d}", "127.0.1.1")

        quiet = [timed(canned)[0] for _ in range(30)]
        stop = threading.Event()
        sent = [0]

        def attacker(k: int) -> None:
            i = 0
            while not stop.is_set():
                get(port, f"/queries/sources?entity=nosuch{k}x{i}", "127.0.0.2")
                sent[0] += 1
                i += 1

        threads = [threading.Thread(target=attacker, args=(k,)) for k in range(20)]
        for t in threads:
            t.start()
        time.sleep(1)
        loaded = [timed(canned) for _ in range(30)]
        stop.set()
        for t in threads:
            t.join()
        print(f"unknown-labels: uncached canned query median {statistics.median(quiet) * 1e3:.0f}"
              f" ms quiet, {statistics.median(t for t, _ in loaded) * 1e3:.0f} ms (max "
              f"{max(t for t, _ in loaded) * 1e3:.0f} ms) while 20 threads asked for unknown "
              f"labels ({sent[0]} requests); statuses {dict(Counter(s for _, s in loaded))}")


def cache_cost() -> None:
    with serve() as (port, proc):
        get(port, "/id/NATO")
        time.sleep(1)
        before = pss_mib(proc.pid)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n, seen = 200_000, []
        for i in range(n):
            conn.request("GET", f"/id/nosuch-{i}", headers={"Accept": "text/turtle"})
            conn.getresponse().read()
            if (i + 1) % 50_000 == 0:
                seen.append(f"{(i + 1) // 1000}k: +{pss_mib(proc.pid) - before:.0f}")
        conn.close()
        print(f"cache-cost: distinct 404s; PSS {before:.0f} MiB before, growth (MiB) after "
              f"{', '.join(seen)} (the cache's bound is 64 MiB)")


def dilution() -> None:
    with serve() as (port, _):
        get(port, CHEAP, "127.0.1.1")
        stop = threading.Event()

        def attacker(k: int) -> None:
            while not stop.is_set():
                try:
                    status, _ = get(port, "/sparql?query=" + quote(SLOW), f"127.0.0.{2 + k}")
                except OSError:
                    status = 0
                if status == 429:
                    stop.wait(0.2)

        threads = [threading.Thread(target=attacker, args=(k,)) for k in range(60)]
        for t in threads:
            t.start()
        time.sleep(2)
        adhoc = Counter(get(port, "/sparql?query=" + quote(f"ASK {{ ?s ?p {k} }}"),
                            "127.0.1.1")[0] for k in range(50))
        cached = [timed(lambda: get(port, CHEAP, "127.0.1.1"))[0] for _ in range(200)]
        stop.set()
        for t in threads:
            t.join()
        cached.sort()
        print(f"dilution: 60 slow queries from 127.0.0.2-61; another client's 50 ad-hoc "
              f"queries: {dict(adhoc)}; its cached answers p50 "
              f"{statistics.median(cached) * 1e3:.1f} ms, p99 "
              f"{cached[int(len(cached) * 0.99) - 1] * 1e3:.1f} ms")


def forwarded() -> None:
    with serve() as (port, _):
        results: list[int] = []

        def one(k: int) -> None:
            results.append(get(port, "/sparql?query=" + quote(SLOW), "127.0.0.1",
                               {**JSON, "X-Forwarded-For": f"203.0.113.{k}"})[0])

        threads = [threading.Thread(target=one, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"forwarded: six slow queries from 127.0.0.1 with six X-Forwarded-For values: "
              f"{dict(Counter(results))}")


def dead_worker() -> None:
    with serve() as (port, proc):
        get(port, CHEAP)
        spawners = family(proc.pid)[1:]
        cheap = [w for w in spawners if os.sched_getscheduler(w) != getattr(os, "SCHED_IDLE", -1)
                 and Path(f"/proc/{w}/task/{w}/children").read_text() == ""]
        for w in cheap:
            os.kill(w, signal.SIGKILL)
        time.sleep(0.5)
        status, body = get(port, "/queries/member-counts?date=2019-03-03")
        print(f"dead-worker: {len(cheap)} idle workers killed; next uncached request: {status} "
              f"{json.loads(body).get('error', '') if status != 200 else ''}")


ATTACKS = {"slow-readers": slow_readers, "idle-sockets": idle_sockets,
           "unknown-labels": unknown_labels, "cache-cost": cache_cost, "dilution": dilution,
           "forwarded": forwarded, "dead-worker": dead_worker}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(ATTACKS))
    args = ap.parse_args()
    for name in args.only or ATTACKS:
        ATTACKS[name]()


if __name__ == "__main__":
    main()
