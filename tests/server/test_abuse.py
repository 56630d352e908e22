"""What one client can take from a real `natoeu serve`, scaled down: memory per connection (a
slow reader of a big cached answer), connection slots, the cheap pool, the answer cache, the
proxy header, the open-files limit, a dead idle worker. Statuses, sizes and orders only: the
attacks at full scale are in benchmarks/abuse.py.

The server runs with small configured limits, on a low open-files limit, and counts each
loopback address as a client of its own (--local-prefix 32), so that each test plays its
clients from addresses of its own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from server_util import LiveServer, start_server

BIG = "SELECT * WHERE {?a ?p ?x . ?b ?q ?y . ?c ?r ?z} LIMIT 10000"  # about 7 MB as JSON
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
CHEAP = "/queries/member-counts?date=2018-07-01"
JSON = {"Accept": "application/sparql-results+json"}
FILES = (256, 512)  # the server starts with this (soft, hard) open-files limit


@pytest.fixture(scope="module")
def live(built: Any) -> Iterator[LiveServer]:
    yield from start_server(
        "--write-timeout", "1", "--client-connections", "8", "--max-connections", "40",
        "--local-prefix", "32", "--cheap-workers", "1", "--cheap-per-client", "2",
        "--header-timeout", "2", "--max-rows", "10000", timeout=4, open_files=FILES)


def _port(live: LiveServer) -> int:
    return int(live.url.rsplit(":", 1)[1])


def _connect(live: LiveServer, source: str, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf is not None:  # before connect: the window the server may fill
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((source, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", _port(live)))
    return s


def _get(live: LiveServer, path: str, source: str,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET from ``source`` (a loopback address), on a connection of its own."""
    with _connect(live, source) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        host = "" if "Host" in (headers or {}) else "Host: x\r\n"
        s.sendall(f"GET {path} HTTP/1.1\r\n{host}Connection: close\r\n{head}\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    top, _, body = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}, body


def _cheap_ok(live: LiveServer, source: str) -> None:
    status, _, body = _get(live, CHEAP, source, JSON)
    assert status == 200, body


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _cheap_workers(live: LiveServer) -> list[int]:
    """The cheap pool's workers: those not under SCHED_IDLE (the ad-hoc ones are)."""
    workers = [w for s in _children(live.proc.pid) for w in _children(s)
               if _state(w) not in (None, "Z")]
    return [w for w in workers if os.sched_getscheduler(w) != os.SCHED_IDLE]


def test_open_files_soft_limit_raised_to_the_hard_one(live: LiveServer) -> None:
    limits = Path(f"/proc/{live.proc.pid}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert (int(soft), int(hard)) == (FILES[1], FILES[1])


def test_slow_readers_hold_no_copy_of_the_answer_and_are_cut_off(live: LiveServer) -> None:
    path = "/sparql?query=" + quote(BIG)
    status, _, body = _get(live, path, "127.0.0.1", JSON)  # computed once, then cached
    assert status == 200 and len(body) > 4_000_000
    before = _rss(live.proc.pid)
    request = (f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: {JSON['Accept']}\r\n\r\n").encode()
    readers = [_connect(live, "127.0.0.2", rcvbuf=4096) for _ in range(6)]
    try:
        for s in readers:
            s.sendall(request)
        time.sleep(0.5)  # within the write deadline: the answers are under way, unread
        grown = _rss(live.proc.pid) - before
        # written whole, each unread answer left a copy of several MB in the server
        assert grown < 8_000_000, grown
        time.sleep(2)  # past the write deadline (1 s): the server has cut them off
        for s in readers:
            got = 0
            try:
                while chunk := s.recv(1 << 20):
                    got += len(chunk)
            except ConnectionResetError:
                pass
            assert got < len(body), got  # the whole answer never went out
    finally:
        for s in readers:
            s.close()


def test_one_client_cannot_take_every_connection(live: LiveServer) -> None:
    hog = [_connect(live, "127.0.0.3") for _ in range(60)]  # > 8 per client, > 40 in all
    try:
        for _ in range(5):
            _cheap_ok(live, "127.0.0.4")  # another client: never 503
        status, headers, body = _get(live, CHEAP, "127.0.0.3", JSON)
        assert status == 429 and headers["retry-after"]
        assert json.loads(body)["error"] == "too_many_connections"
    finally:
        for s in hog:
            s.close()


def test_too_many_sockets_for_the_open_files_limit(live: LiveServer) -> None:
    """More sockets than the server has descriptors for: the others are still served, and
    stderr does not fill with one traceback per failed accept."""
    assert live.proc.stderr is not None
    os.set_blocking(live.proc.stderr.fileno(), False)
    hog = []
    try:
        for _ in range(FILES[1] + 100):
            hog.append(_connect(live, "127.0.0.5"))
        for _ in range(5):
            _cheap_ok(live, "127.0.0.6")
    finally:
        for s in hog:
            s.close()
    logged = live.proc.stderr.read() or b""
    assert b"Traceback" not in logged and len(logged) < 2000, logged[:500]


def test_x_forwarded_for_is_not_trusted_by_default(live: LiveServer) -> None:
    """Ad-hoc queries are limited per client (2); a forged header does not make new clients
    (uvicorn trusts it from 127.0.0.1 unless told otherwise)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        running = [pool.submit(_get, live, "/sparql?query=" + quote(SLOW), "127.0.0.1",
                               {**JSON, "X-Forwarded-For": f"203.0.113.{k}"})
                   for k in range(2)]
        time.sleep(0.5)
        status, _, body = _get(live, "/sparql?query=" + quote(SLOW), "127.0.0.1",
                               {**JSON, "X-Forwarded-For": "203.0.113.9"})
        assert status == 429, body
        for f in running:
            assert f.result()[0] == 503  # at the deadline


def test_the_cheap_pool_has_a_share_per_client(live: LiveServer) -> None:
    """Distinct unknown labels (a look-up each, never the same answer): past 2 at a time,
    one client gets 429."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda k: _get(
            live, f"/queries/sources?entity=nosuchthing{k}x", "127.0.0.8", JSON)[0], range(8)))
    assert 429 in statuses and set(statuses) <= {400, 429}, statuses


def test_an_unknown_label_is_answered_from_the_cache(live: LiveServer) -> None:
    """The 400 for a label that names nothing is kept: asked again while the cheap worker is
    stopped, it is answered all the same."""
    path = "/queries/sources?entity=Swedenland"
    first = _get(live, path, "127.0.0.9", JSON)
    assert first[0] == 400 and b"names no entity" in first[2]
    workers = _cheap_workers(live)
    assert len(workers) == 1
    os.kill(workers[0], signal.SIGSTOP)
    try:
        again = _get(live, path, "127.0.0.9", JSON)
    finally:
        os.kill(workers[0], signal.SIGCONT)
    assert again[0] == 400 and again[2] == first[2]


def test_a_dead_idle_worker_is_replaced_before_a_request_reaches_it(live: LiveServer) -> None:
    _cheap_ok(live, "127.0.0.10")
    (worker,) = _cheap_workers(live)
    os.kill(worker, signal.SIGKILL)
    # dead when it is gone (its spawner reaps it at once): a process whose first thread shows
    # "Z" may still have threads exiting that hold its socket open
    deadline = time.monotonic() + 60
    while _state(worker) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _state(worker) is None, "the killed worker did not exit within 60 s"
    # an answer not in the cache: it needs a worker
    status, _, body = _get(live, "/queries/member-counts?date=2019-03-03", "127.0.0.10", JSON)
    assert status == 200, body


def test_a_cached_answer_serves_every_host_name(live: LiveServer) -> None:
    """The base of relative IRIs comes from the Host header: only a query that has one may
    depend on it; any other is one cache entry, however the host is named (a client varying
    the header would otherwise make every request a computation)."""
    path = "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }")
    first = _get(live, path, "127.0.0.11", {**JSON, "Host": "one.example"})
    assert first[0] == 200
    idle = [w for s in _children(live.proc.pid) for w in _children(s)
            if _state(w) not in (None, "Z") and os.sched_getscheduler(w) == os.SCHED_IDLE]
    for w in idle:
        os.kill(w, signal.SIGSTOP)
    try:
        again = _get(live, path, "127.0.0.11", {**JSON, "Host": "two.example"})
    finally:
        for w in idle:
            os.kill(w, signal.SIGCONT)
    assert again[0] == 200 and again[2] == first[2]
