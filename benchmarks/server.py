"""Benchmark: `natoeu serve` beside rdflib-endpoint and `oxigraph serve-read-only`, in one run,
on the shipped graph, all on 127.0.0.1; then the availability scenario. Prints medians,
percentiles and ratios; not a test.

    pip install '.[bench]'
    python benchmarks/server.py [--seconds 10] [--clients 4]

Peers: the same SELECT sent repeatedly by ``--clients`` threads over keep-alive connections for
``--seconds``; throughput (answers/s) and latency percentiles per server. Then the ad-hoc mix:
five query shapes, a new text every request, on natoeu serve (both engines) and Oxigraph, the
three measured in turns (``mix``). natoeu serve also
answers a stream of distinct queries (no answer cache) for comparison. Availability: the p50 and
p99 latency of a cheap canned query, quiet, then with 2 slow ad-hoc queries running, 63 idle
sockets open and 20 clients fetching entity pages.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from processes import stop

from natoeu_graph.core.resources import locate
from natoeu_graph.pipeline.build import build

BIN = Path(sys.executable).parent
QUERY = """PREFIX natoeu: <https://w3id.org/natoeu/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?state ?name WHERE {
  ?state a natoeu:State ; rdfs:label ?name .
  FILTER(LANG(?name) = "en")
} ORDER BY ?name"""
# Ad-hoc queries of five shapes, for the uncached mix (each request gets its own LIMIT, larger
# than any answer: a new text every time, the same work)
MIX = {
    "join": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?state ?name ?org WHERE {
  ?m org:member ?state ; org:organization ?o .
  ?state rdfs:label ?name . ?o rdfs:label ?org .
  FILTER(LANG(?name) = "en" && LANG(?org) = "en")
} ORDER BY ?name ?org""",
    "aggregate": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?l (COUNT(?m) AS ?n) WHERE {
  ?m org:member ?s . ?s rdfs:label ?l
} GROUP BY ?s ?l ORDER BY DESC(?n) ?l""",
    "OPTIONAL": """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?m ?start ?end WHERE {
  ?m org:memberDuring ?i . ?i time:hasBeginning/time:inXSDDate ?start .
  OPTIONAL { ?i time:hasEnd/time:inXSDDate ?end }
} ORDER BY ?m""",
    "property path": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?super WHERE {
  ?c rdfs:subClassOf+ ?super . FILTER(isIRI(?super))
} ORDER BY ?c ?super""",
    "FILTER regex": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?l WHERE {
  ?s rdfs:label ?l . FILTER(regex(?l, "^(Nor|Swe|Fin)", "i"))
} ORDER BY ?l""",
}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
CHEAP = "/queries/member-counts?date=2018-07-01"
ACCEPT = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int, path: str, proc: subprocess.Popen[bytes], limit: float = 180) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers=ACCEPT)
            if conn.getresponse().status < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"server did not start: {proc.args}")


@contextlib.contextmanager
def server(cmd: list[str], port: int, probe: str) -> Iterator[None]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(port, probe, proc)
        yield
    finally:
        stop(proc)


def load(port: int, path_of: Callable[[int], str], seconds: float, clients: int) \
        -> tuple[float, list[float], int]:
    """(answers per second, latencies in s, non-200 count) for ``clients`` keep-alive threads."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i, mine = 0, []
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", path_of(k * 1_000_000 + i), headers=ACCEPT)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - start)
            if resp.status != 200:
                with lock:
                    errors[0] += 1
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - began), latencies, errors[0]


def canned_on_day(i: int) -> str:
    """member-counts on a date no earlier request asked for (no answer-cache hit): client k's
    j-th request (``i`` = k * 1,000,000 + j) asks for day k * 20,000 + j after 1949-04-04."""
    client, j = divmod(i, 1_000_000)
    day = datetime.date(1949, 4, 4) + datetime.timedelta(days=client * 20_000 + j % 20_000)
    return f"/queries/member-counts?date={day.isoformat()}"


def mix_path(endpoint: str) -> Callable[[int], str]:
    """The ``i``-th request of the ad-hoc mix: the shapes in turn, each text new (its LIMIT)."""
    shapes = list(MIX.values())

    def path(i: int) -> str:
        query = shapes[i % len(shapes)] + f"\nLIMIT {100_000 + i}"
        return endpoint + "?" + urlencode({"query": query})

    return path


def mix_rows(port: int, endpoint: str) -> dict[str, int]:
    return {name: count_rows(port, endpoint + "?" + urlencode({"query": q}))
            for name, q in MIX.items()}


MIX_SERVERS = ("natoeu serve --engine auto", "natoeu serve --engine rdflib",
               "oxigraph serve-read-only")


def mix(args: argparse.Namespace, data: Path, tmp: Path) -> dict[str, float]:
    """The uncached ad-hoc mix on natoeu serve (both engines) and oxigraph serve-read-only,
    all three running at once and measured in turns: ``--rounds`` rounds of ``--seconds`` /
    ``--rounds`` seconds per server, the order rotating each round, so that a change of load
    on a shared machine hits every server alike. Rates are medians over the rounds; the
    natoeu / Oxigraph ratio is the median of the rounds' ratios."""
    with contextlib.ExitStack() as stack:
        ports = {}
        for engine in ("auto", "rdflib"):
            port = free_port()
            stack.enter_context(server(
                [str(BIN / "natoeu"), "serve", "--port", str(port), "--per-client", "64",
                 "--queue", "64", "--engine", engine], port, "/sparql"))
            ports[f"natoeu serve --engine {engine}"] = (port, "/sparql")
        ports["oxigraph serve-read-only"] = (stack.enter_context(oxigraph_server(data, tmp)),
                                             "/query")
        rows = {name: mix_rows(port, endpoint) for name, (port, endpoint) in ports.items()}
        if len({tuple(r.items()) for r in rows.values()}) != 1:
            raise RuntimeError(f"the servers answered the mix differently: {rows}")
        for port, endpoint in ports.values():
            load(port, mix_path(endpoint), 1, 1)  # warm up (distinct texts: no cache hit later)
        rates: dict[str, list[float]] = {name: [] for name in ports}
        lats: dict[str, list[float]] = {name: [] for name in ports}
        errors = dict.fromkeys(ports, 0)
        names = list(ports)
        for k in range(args.rounds):
            for name in names[k % len(names):] + names[:k % len(names)]:
                port, endpoint = ports[name]
                rate, lat, err = load(port, lambda i, p=endpoint, k=k: mix_path(p)(
                    (k + 1) * 10_000_000 + i), args.seconds / args.rounds, args.clients)
                rates[name].append(rate)
                lats[name].extend(lat)
                errors[name] += err
    print(f"Ad-hoc mix of {len(MIX)} shapes ({', '.join(MIX)}), each text new: {args.rounds} "
          f"rounds of {args.seconds / args.rounds:g} s per server, in turns\n")
    print("| server | answers/s (median of rounds) | min-max | p50 ms | p99 ms | answers "
          "| non-200 |")
    print("|---|---|---|---|---|---|---|")
    for name in ports:
        r = rates[name]
        print(f"| {name} | {statistics.median(r):.0f} | {min(r):.0f}-{max(r):.0f} | "
              f"{pct(lats[name], 50):.1f} | {pct(lats[name], 99):.1f} | {len(lats[name])} | "
              f"{errors[name]} |")
    ratios = [a / b for a, b in zip(rates["natoeu serve --engine auto"],
                                    rates["oxigraph serve-read-only"], strict=True)]
    slow = [a / b for a, b in zip(rates["natoeu serve --engine rdflib"],
                                  rates["oxigraph serve-read-only"], strict=True)]
    counts = ", ".join(f"{k} {v}" for k, v in next(iter(rows.values())).items())
    print(f"\nevery server answered the mix alike (rows: {counts})")
    print(f"natoeu serve / oxigraph, median of the rounds: {statistics.median(ratios):.2f}x "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f}x; target >= 0.5x); "
          f"natoeu serve --engine rdflib / oxigraph: {statistics.median(slow):.2f}x")
    return {name: statistics.median(r) for name, r in rates.items()}


@contextlib.contextmanager
def oxigraph_server(data: Path, tmp: Path) -> Iterator[int]:
    store = tmp / "oxigraph"
    if not store.exists():
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store), "--file",
                        str(data)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    port = free_port()
    with server([str(BIN / "oxigraph"), "serve-read-only", "--location", str(store),
                 "--union-default-graph", "--bind", f"127.0.0.1:{port}"], port,
                "/query?query=" + quote("ASK {}")):
        yield port


def count_rows(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=ACCEPT)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{path} answered {resp.status}: {body[:200]!r}")
    return len(json.loads(body)["results"]["bindings"])


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def line(name: str, rate: float, lat: list[float], errors: int) -> str:
    return (f"| {name} | {rate:.0f} | {pct(lat, 50):.1f} | {pct(lat, 99):.1f} | {len(lat)} "
            f"| {errors} |")


def peers(args: argparse.Namespace, data: Path, tmp: Path) -> dict[str, float]:
    fixed = "/sparql?" + urlencode({"query": QUERY})
    rates: dict[str, float] = {}
    rows: dict[str, int] = {}
    print("| server | answers/s | p50 ms | p99 ms | answers | non-200 |")
    print("|---|---|---|---|---|---|")
    port = free_port()
    # every client here is 127.0.0.1: lift the per-client shares for the throughput runs
    with server([str(BIN / "natoeu"), "serve", "--port", str(port), "--per-client", "64",
                 "--cheap-per-client", "64", "--queue", "64"], port, "/sparql"):
        rows["natoeu"] = count_rows(port, fixed)
        load(port, lambda i: fixed, 1, 1)  # warm: the first answer fills the cache
        rate, lat, err = load(port, lambda i: fixed, args.seconds, args.clients)
        rates["natoeu"] = rate
        print(line("natoeu serve (same query, answer cache)", rate, lat, err))
        rate, lat, err = load(port, lambda i: "/sparql?" + urlencode(
            {"query": QUERY + f"\nLIMIT {i + 1}"}), args.seconds, args.clients)
        print(line("natoeu serve (distinct queries, no cache hit)", rate, lat, err))
        one, lat1, _ = load(port, lambda i: fixed, args.seconds, 1)
        rates["natoeu_p50_cached_ms"] = pct(lat1, 50)
        print(line("natoeu serve (same query, 1 client)", one, lat1, 0))
        rate, lat, err = load(port, canned_on_day, args.seconds, args.clients)
        rates["canned_auto"] = rate
        print(line("natoeu serve (canned query, a new date each time: Oxigraph)", rate, lat, err))
    port = free_port()
    with server([str(BIN / "natoeu"), "serve", "--port", str(port), "--per-client", "64",
                 "--cheap-per-client", "64", "--queue", "64", "--engine", "rdflib"], port,
                "/sparql"):
        rate, lat, err = load(port, canned_on_day, args.seconds, args.clients)
        rates["canned_rdflib"] = rate
        print(line("natoeu serve --engine rdflib (the same)", rate, lat, err))
    port = free_port()
    # rdflib-endpoint 0.6 answers SPARQL at / (its /sparql is 404)
    plain = "/?" + urlencode({"query": QUERY})
    with server([str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port",
                 str(port), str(data)], port, "/?query=" + quote("ASK {}")):
        rows["rdflib-endpoint"] = count_rows(port, plain)
        load(port, lambda i: plain, 1, 1)
        rate, lat, err = load(port, lambda i: plain, args.seconds, args.clients)
        rates["rdflib-endpoint"] = rate
        print(line("rdflib-endpoint", rate, lat, err))
    with oxigraph_server(data, tmp) as port:
        ox = "/query?" + urlencode({"query": QUERY})
        rows["oxigraph"] = count_rows(port, ox)
        load(port, lambda i: ox, 1, 1)
        rate, lat, err = load(port, lambda i: ox, args.seconds, args.clients)
        rates["oxigraph"] = rate
        print(line("oxigraph serve-read-only", rate, lat, err))
    print()
    if len(set(rows.values())) != 1:
        raise RuntimeError(f"the servers answered differently: {rows}")
    print(f"every server answered the query with {rows['natoeu']} rows")
    print(f"natoeu / rdflib-endpoint throughput: {rates['natoeu'] / rates['rdflib-endpoint']:.1f}x"
          f"; natoeu / oxigraph: {rates['natoeu'] / rates['oxigraph']:.2f}x; "
          f"p50 of a cached answer (1 client): {rates['natoeu_p50_cached_ms']:.1f} ms")
    print(f"canned query on a new date, Oxigraph / rdflib engine: "
          f"{rates['canned_auto'] / rates['canned_rdflib']:.1f}x")
    return rates


def background(port: int, ready: Any, stop: Any, nice: int) -> None:
    """2 slow ad-hoc queries kept running, 63 idle sockets, 20 clients on entity pages; each
    kind from loopback addresses of its own /24, so that each is one client (server.clients)
    apart from the measuring one on 127.0.0.1."""
    os.nice(nice)  # stands in for clients on other machines when > 0 (see --nice-load)

    def slow() -> None:
        while not stop.is_set():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                              source_address=("127.0.4.1", 0))
            conn.request("GET", "/sparql?query=" + quote(SLOW), headers=ACCEPT)
            conn.getresponse().read()
            conn.close()

    def pages() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60,
                                          source_address=("127.0.3.1", 0))
        while not stop.is_set():
            conn.request("GET", "/id/NATO?format=jsonld")
            conn.getresponse().read()

    def idle() -> None:
        """63 connections that never send a byte, re-opened as soon as the server closes one."""
        socks = [socket.create_connection(("127.0.0.1", port), source_address=("127.0.2.1", 0))
                 for _ in range(63)]
        for s in socks:
            s.setblocking(False)
        while not stop.is_set():
            for i, s in enumerate(socks):
                try:
                    closed = s.recv(1) == b""
                except BlockingIOError:
                    closed = False
                except OSError:
                    closed = True
                if closed:
                    s.close()
                    socks[i] = socket.create_connection(("127.0.0.1", port),
                                                        source_address=("127.0.2.1", 0))
                    socks[i].setblocking(False)
            stop.wait(0.1)
        for s in socks:
            s.close()

    threads = [threading.Thread(target=f) for f in [idle, slow, slow] + [pages] * 20]
    for t in threads:
        t.start()
    ready.set()
    stop.wait()
    for t in threads:
        t.join()


def availability(args: argparse.Namespace) -> None:
    port = free_port()
    cmd = [str(BIN / "natoeu"), "serve", "--port", str(port)]
    if args.pin:  # the server (and its workers) on CPU 0, every client on CPU 1
        cmd = ["taskset", "-c", "0", *cmd]
        os.sched_setaffinity(0, {1})
    with server(cmd, port, "/sparql"):
        def cheap(n: int) -> list[float]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            out = []
            for _ in range(n):
                start = time.perf_counter()
                conn.request("GET", CHEAP, headers=ACCEPT)
                resp = conn.getresponse()
                resp.read()
                assert resp.status == 200, resp.status
                out.append(time.perf_counter() - start)
                time.sleep(0.02)
            return out

        cheap(5)
        quiet = cheap(args.samples)
        # the hostile load runs in another process, so its threads do not share our GIL
        ready, stop = multiprocessing.Event(), multiprocessing.Event()
        noise = multiprocessing.Process(target=background,
                                        args=(port, ready, stop, args.nice_load))
        noise.start()
        ready.wait(30)
        time.sleep(1)
        try:
            loaded = cheap(args.samples)
        finally:
            stop.set()
            noise.join(90)
    q99, l99 = pct(quiet, 99), pct(loaded, 99)
    print("| cheap canned query | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, lat in (("quiet", quiet),
                      ("2 slow queries + 63 idle sockets + 20 entity-page clients", loaded)):
        print(f"| {name} | {pct(lat, 50):.1f} | {pct(lat, 90):.1f} | {pct(lat, 99):.1f} | "
              f"{max(lat) * 1000:.1f} |")
    where = "server on CPU 0, clients on CPU 1" if args.pin else "all on both CPUs"
    print(f"\nload generator at nice {args.nice_load}, {where}; loaded p99 / quiet p99: "
          f"{l99 / q99:.2f}x (target <= 3x); every cheap answer 200")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5,
                    help="mix: rounds of turns between the servers (--seconds split among them)")
    ap.add_argument("--nice-load", type=int, default=0,
                    help="niceness of the availability load generator: on a small machine its "
                    "20 client threads compete with the server for the CPU, which clients on "
                    "other machines would not")
    ap.add_argument("--pin", action="store_true",
                    help="availability: pin the server and its workers to CPU 0 and every "
                    "client to CPU 1, as if the clients were on other machines")
    ap.add_argument("--only", choices=("peers", "mix", "availability"),
                    help="mix: only the ad-hoc mix (natoeu serve on both engines, Oxigraph)")
    args = ap.parse_args()
    for tool in ("natoeu", "rdflib-endpoint", "oxigraph"):
        if not (BIN / tool).exists() and not shutil.which(tool):
            sys.exit(f"{tool} is not installed: pip install '.[bench]'")
    print(f"# {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}; {args.clients} clients, "
          f"{args.seconds:g} s per server\n")
    if args.only != "availability":
        built = build(locate())
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "natoeu.nt"
            built.merged().serialize(destination=str(data), format="nt", encoding="utf-8")
            if args.only != "mix":
                peers(args, data, Path(tmp))
                print()
            if args.only != "peers":
                mix(args, data, Path(tmp))
        print()
    if args.only not in ("peers", "mix"):
        availability(args)


if __name__ == "__main__":
    main()
