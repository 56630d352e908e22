"""A real `natoeu serve` process for the server tests: free port on 127.0.0.1, killed at the end."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

NATOEU = shutil.which("natoeu") or str(Path(sys.executable).with_name("natoeu"))
TIMEOUT = 3.0  # the server's deadline in these tests: short, so timeout tests are quick
# The deadline of modules that compare answers: ad-hoc queries run in SCHED_IDLE workers, which
# get the CPU only when nothing else wants it; with tests in parallel workers (and others' work
# on a shared machine) a 1 s query has waited 40 s for it. 60 s: `natoeu query --endpoint`
# waits that long for an answer.
ANSWER_DEADLINE = 60.0


@dataclass
class LiveServer:
    url: str
    audit_log: Path
    proc: subprocess.Popen[bytes]

    def request(self, path: str, *, method: str = "GET", data: bytes | None = None,
                headers: dict[str, str] | None = None,
                timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()

    def cheap_query_ok(self) -> float:
        """Ask a cheap canned query; assert the normal answer; return the latency."""
        start = time.monotonic()
        status, _, body = self.request("/queries/member-counts?date=2018-07-01",
                                       headers={"Accept": "application/sparql-results+json"})
        elapsed = time.monotonic() - start
        assert status == 200, body
        row = json.loads(body)["results"]["bindings"][0]
        assert (row["nato"]["value"], row["eu"]["value"], row["shared"]["value"]) == \
            ("29", "28", "22")
        return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(*extra: str, timeout: float = TIMEOUT,
                 open_files: tuple[int, int] | None = None) -> Iterator[LiveServer]:
    """``open_files``: the (soft, hard) limit on open files the server starts with."""
    port = free_port()

    def limit() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, open_files)

    log = Path(tempfile.mkdtemp(prefix="natoeu-audit-")) / "audit.log"
    env = {**os.environ, "NATOEU_SERVER_AUDIT_LOG": str(log)}
    proc = subprocess.Popen(
        [NATOEU, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
         "--timeout", str(timeout), "--queue", "4", "--max-rows", "2000", *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=limit if open_files is not None else None)
    server = LiveServer(f"http://127.0.0.1:{port}", log, proc)
    deadline = time.monotonic() + 120  # a cold cache builds the graph first (~15 s)
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            pytest.fail(f"natoeu serve exited: {err}")
        try:
            if server.request("/sparql", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("natoeu serve did not answer within 120 s")
        time.sleep(0.2)
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it gets."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.thread.join()
        self.sock.close()
