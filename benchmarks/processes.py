"""Child processes of the benchmarks (servers under test), stopped the same way everywhere."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Ask ``proc`` to end; kill it if it has not within ``timeout`` seconds; reap it."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
