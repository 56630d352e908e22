"""One careless or hostile client cannot take the server away from the others (127.0.0.1, real
sockets, a real `natoeu serve`). Statuses and headers only: latency is measured in
benchmarks/server.py, never asserted here."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from server_util import LiveServer, start_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
CHEAP = "/queries/member-counts?date=2018-07-01"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def live(built: Any) -> Iterator[LiveServer]:
    # each loopback address a client of its own: the idle sockets below come from others
    yield from start_server("--header-timeout", "1", "--body-timeout", "1",
                            "--max-connections", "150", "--per-client", "2",
                            "--local-prefix", "32", timeout=6)


def _connect(live: LiveServer, source: str = "127.0.0.1") -> socket.socket:
    host, port = live.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))


def _closed_within(s: socket.socket, seconds: float) -> bool:
    """True if the server closes the connection (EOF or reset) within ``seconds``."""
    s.settimeout(seconds)
    try:
        while s.recv(4096):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_silent_connection_is_closed(live: LiveServer) -> None:
    with _connect(live) as s:
        assert _closed_within(s, 5)


def test_slow_request_head_is_closed(live: LiveServer) -> None:
    with _connect(live) as s:
        s.sendall(b"GET / HTTP/1.1\r\n")
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < 5:  # a header line every 0.3 s, never finishing
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                closed = True
                break
            s.settimeout(0.3)
            try:
                if s.recv(4096) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except ConnectionResetError:
                closed = True
                break
        assert closed


def test_slow_body_gets_408(live: LiveServer) -> None:
    with _connect(live) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                  b"\r\nContent-Length: 100\r\n\r\nASK")
        s.settimeout(10)
        head = s.recv(4096)
    assert head.startswith(b"HTTP/1.1 408"), head


def test_idle_sockets_do_not_make_503(live: LiveServer) -> None:
    idle = [_connect(live, f"127.0.0.{2 + k % 2}") for k in range(100)]
    try:
        for _ in range(5):
            live.cheap_query_ok()
    finally:
        for s in idle:
            s.close()


def test_past_the_connection_cap_503_with_retry_after(live: LiveServer) -> None:
    # from three other clients, each within its share of connections (64)
    idle = [_connect(live, f"127.0.1.{k % 3}") for k in range(160)]
    try:
        status, headers, body = live.request(CHEAP, headers=JSON)
        assert status == 503, status
        assert headers["retry-after"]
        assert json.loads(body)["error"] == "too_many_connections"
        status, headers, body = live.request(CHEAP, headers={"Accept": "text/html"})
        assert status == 503 and headers["retry-after"]
        assert headers["content-type"].startswith("text/html") and b"<html" in body
    finally:
        for s in idle:
            s.close()
    time.sleep(0.5)
    live.cheap_query_ok()  # never a standing 503


def _slow(live: LiveServer) -> tuple[int, dict[str, str], bytes]:
    return live.request("/sparql?query=" + quote(SLOW), headers=JSON, timeout=60)


def test_ad_hoc_over_share_gets_429_in_negotiated_format(live: LiveServer) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        running = [pool.submit(_slow, live) for _ in range(2)]
        time.sleep(0.5)  # both slow queries hold this client's share
        status, headers, body = _slow(live)
        assert status == 429 and headers["retry-after"]
        assert json.loads(body)["error"] == "too_many_requests"
        status, headers, body = live.request("/query?query=" + quote(SLOW),
                                             headers={"Accept": "text/html"})
        assert status == 429 and headers["retry-after"]
        assert headers["content-type"].startswith("text/html")
        live.cheap_query_ok()  # the cheap pool is untouched
        for f in running:
            assert f.result()[0] == 503  # killed at the deadline, with Retry-After
            assert f.result()[1]["retry-after"]


def test_cheap_work_survives_slow_queries_idle_sockets_and_page_clients(
        live: LiveServer) -> None:
    """2 slow queries, 63 idle sockets, 20 clients on entity pages: no cheap request gets a
    5xx (the benchmark measures its p99 against a quiet one)."""
    stop = threading.Event()
    page_statuses: list[int] = []

    def pages() -> None:
        while not stop.is_set():
            page_statuses.append(live.request("/id/NATO?format=jsonld")[0])

    idle = [_connect(live, "127.0.0.4") for _ in range(63)]
    with ThreadPoolExecutor(max_workers=22) as pool:
        slow = [pool.submit(_slow, live) for _ in range(2)]
        clients = [pool.submit(pages) for _ in range(20)]
        try:
            time.sleep(0.5)
            for _ in range(20):
                live.cheap_query_ok()
        finally:
            stop.set()
            for s in idle:
                s.close()
        for f in clients:
            f.result()
        for f in slow:
            f.result()
    assert page_statuses and set(page_statuses) <= {200, 429}, set(page_statuses)


def test_answers_carry_validators_and_304(live: LiveServer) -> None:
    status, headers, body = live.request(CHEAP, headers=JSON)
    assert status == 200
    etag = headers["etag"]
    assert "max-age" in headers["cache-control"]
    again = live.request(CHEAP, headers=JSON)
    assert again[1]["etag"] == etag and again[2] == body
    status, headers, body = live.request(CHEAP, headers={**JSON, "If-None-Match": etag})
    assert status == 304 and body == b"" and headers["etag"] == etag
    # a different representation has a different validator
    other = live.request(CHEAP, headers={"Accept": "text/csv"})
    assert other[0] == 200 and other[1]["etag"] != etag


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    """Fields 3 and 4 of /proc/PID/stat, or None when the process is gone."""
    try:
        state, parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
    except (OSError, ValueError):
        return None
    return state, int(parent)


def _children(pid: int) -> list[int]:
    """Live children (killed workers are reaped later: zombies are left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _state_and_parent(int(entry.name))
            if info is not None and info[1] == pid and info[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policies")
def test_adhoc_workers_run_only_on_spare_cpu(live: LiveServer) -> None:
    """The workers are forked by one spawner per pool (the event loop never forks); the ad-hoc
    workers are SCHED_IDLE (the event loop takes the CPU from them at once), the cheap workers
    are not; an ad-hoc query still gets its answer."""
    status, _, body = live.request("/sparql?query=" + quote("ASK { ?s ?p ?o }"), headers=JSON)
    assert status == 200 and json.loads(body)["boolean"] is True
    spawners = _children(live.proc.pid)
    assert len(spawners) == 2
    # a worker killed at its deadline by an earlier test is replaced at once but, SCHED_IDLE
    # on a busy machine (other tests, parallel workers), may take seconds to finish dying:
    # wait for the pools to settle at their size
    deadline = time.monotonic() + 30
    while True:
        workers = [pid for s in spawners for pid in _children(s)]
        if len(workers) <= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    policies = sorted(os.sched_getscheduler(pid) for pid in workers)
    assert policies == sorted([os.SCHED_OTHER] * 2 + [os.SCHED_IDLE] * 2), policies


def _alive(pid: int) -> bool:
    info = _state_and_parent(pid)
    return info is not None and info[0] != "Z"


def test_a_killed_server_leaves_no_process_behind(built: Any) -> None:
    """SIGKILL the server while a worker is deep in a slow query: the spawners and every
    worker, the busy one included, go with it."""
    servers = start_server("--timeout", "30")
    server = next(servers)
    try:
        spawners = _children(server.proc.pid)
        family = spawners + [w for s in spawners for w in _children(s)]
        assert len(family) == 6
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(server.request, "/sparql?query=" + quote(SLOW), headers=JSON,
                        timeout=2)
            time.sleep(0.5)
            server.proc.kill()
            server.proc.wait()
        # the kernel ends them at once; a SCHED_IDLE worker on a busy machine may need a
        # while to run its exit (the loop ends as soon as none is left)
        deadline = time.monotonic() + 30
        alive = family
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [pid for pid in family if _alive(pid)]
        assert not alive
    finally:
        servers.close()
