"""A pool of forked query workers; a worker that passes its deadline is killed and replaced.

rdflib evaluation cannot be interrupted from a thread, so each query runs in
its own process, forked from the server after the graph is loaded (copy-on-write: a fork costs a
few milliseconds, not a reload). A slow query holds one worker; cheap queries go to the others.
When every worker is busy, up to ``Limits.queue`` requests wait; the next gets 429.

The event loop waits on the worker's pipe with ``add_reader``, so the server process starts no
threads and forking it stays safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import stat
import time
from multiprocessing.connection import Connection
from typing import Any

from .config import Limits
from .worker import Context, Reply, error, serve_forever

_fork = multiprocessing.get_context("fork")


class _Worker:
    def __init__(self, ctx: Context, nice: int = 0) -> None:
        parent, child = _fork.Pipe()
        self.conn: Connection = parent
        self.proc = _fork.Process(target=_main, args=(ctx, child, parent, nice), daemon=True)
        self.proc.start()
        child.close()

    def kill(self, wait: bool = True) -> None:
        """SIGKILL; with ``wait=False`` the exit is collected later, off the event loop's path
        (a killed worker tearing down its copy of the graph takes milliseconds)."""
        with contextlib.suppress(Exception):
            self.proc.kill()
            if wait:
                self.proc.join(timeout=5)
            else:
                _reap_later(self.proc)
        self.conn.close()


def _reap_later(proc: Any, delay: float = 0.05) -> None:
    def reap() -> None:
        with contextlib.suppress(Exception):
            if proc.exitcode is None:  # polls waitpid(WNOHANG); not exited yet: look again
                asyncio.get_running_loop().call_later(min(delay * 2, 1.0), reap)
    try:
        asyncio.get_running_loop().call_later(delay, reap)
    except RuntimeError:  # no loop (shutting down): wait here
        proc.join(timeout=5)


IDLE = -1  # the ``nice`` of a pool whose workers run only on CPU time nothing else wants


def _main(ctx: Context, conn: Connection, parent_end: Connection, nice: int) -> None:
    parent_end.close()
    if nice == IDLE:
        # Linux's SCHED_IDLE: any other task that wakes up takes the CPU at once. A niced
        # worker (even at 19) keeps the CPU to the end of its time slice, and two slow
        # queries then added up to 5 ms to a cached answer's p99 (benchmarks/server.py).
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):  # not Linux: the lowest priority there is
            with contextlib.suppress(OSError):
                os.nice(19)
    elif nice:
        # below the event loop: on a busy machine the loop (cached answers, routing) gets
        # the CPU first
        with contextlib.suppress(OSError):
            os.nice(nice)
    _close_sockets(keep=conn.fileno())
    serve_forever(ctx, conn)


def _close_sockets(keep: int) -> None:
    """Drop the server's listening and client sockets inherited through fork.

    Otherwise a worker would hold a client's connection open after the server closed it, and
    the port after the server exited.
    """
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == keep or fd <= 2:
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)


class Saturated(Exception):
    """Every worker is busy and the queue is full."""


class WorkerPool:
    def __init__(self, ctx: Context, limits: Limits, workers: int | None = None,
                 queue: int | None = None, nice: int = 0) -> None:
        self.ctx = ctx
        self.nice = nice
        self.limits = limits
        self.workers = workers if workers is not None else limits.workers
        self.queue = queue if queue is not None else limits.queue
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._waiting = 0
        self.killed = 0  # workers killed at their deadline (for the log and the tests)

    def start(self) -> None:
        gc.freeze()  # the graph's objects stay shared with the forks: GC would touch them
        self._idle = asyncio.Queue()
        for _ in range(self.workers):
            self._spawn()

    def _spawn(self) -> None:
        w = _Worker(self.ctx, self.nice)
        self._all.add(w)
        assert self._idle is not None
        self._idle.put_nowait(w)

    def close(self) -> None:
        for w in list(self._all):
            w.kill()
        self._all.clear()

    @property
    def busy(self) -> int:
        return len(self._all) - (self._idle.qsize() if self._idle else 0)

    async def run(self, job: dict[str, Any], timeout: float | None = None) -> Reply:
        """Run ``job`` in a worker within ``timeout`` seconds (default: the server's)."""
        assert self._idle is not None, "start() the pool first"
        deadline = time.monotonic() + (timeout or self.limits.timeout)
        if self._idle.empty() and self._waiting >= self.queue:
            raise Saturated
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(),
                                            max(deadline - time.monotonic(), 0.001))
        except asyncio.TimeoutError:
            return error(503, "query_timeout", "no worker became free before the deadline")
        finally:
            self._waiting -= 1
        try:
            worker.conn.send(job)
            reply = await asyncio.wait_for(self._receive(worker.conn),
                                           max(deadline - time.monotonic(), 0.001))
        except (asyncio.TimeoutError, EOFError, OSError, asyncio.CancelledError) as exc:
            # past the deadline (or the worker died, or the client left): kill, replace
            self._all.discard(worker)
            worker.kill(wait=False)
            self.killed += 1
            self._spawn()
            if isinstance(exc, asyncio.CancelledError):
                raise
            if isinstance(exc, asyncio.TimeoutError):
                return error(503, "query_timeout", f"the query ran past the deadline of "
                             f"{timeout or self.limits.timeout:g} s and was stopped")
            return error(500, "worker_failed", "the query worker stopped unexpectedly")
        self._idle.put_nowait(worker)
        return reply

    @staticmethod
    async def _receive(conn: Connection) -> Reply:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = conn.fileno()

        def done() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, done)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        reply: Reply = conn.recv()
        return reply
