"""A pool of forked query workers; a worker that passes its deadline is killed and replaced.

rdflib evaluation cannot be interrupted from a thread, so each query runs in its own process.
Workers are forked by a spawner: a copy of the server made when the pool starts, after the
graph is loaded (copy-on-write: a worker costs a fork, not a reload). Forking the server itself
cost its event loop 4-7 ms per worker (copying the page tables of both engines' copies of the
graph), and two slow queries killed together at their deadline stalled it for 14-29 ms. Now the
event loop only writes one byte to the spawner; the spawner forks and sends back the new
worker's socket and a pidfd (SCM_RIGHTS), which the loop reads when they arrive, like a reply.
A slow query holds one worker; cheap queries go to the others. When every worker is busy, up to
``Limits.queue`` requests wait; the next gets 429. A freed worker goes to the waiting request of
the client that holds the fewest workers (fairness.FairGate), not to the oldest.

An idle worker is watched: if it dies (killed from outside, out of memory), its socket turns
readable at once and a replacement is asked for then, and a request never gets a dead worker.

The event loop waits on the worker's socket with ``add_reader``, so the server process starts
no threads and forking it stays safe. Killed workers are signalled through their pidfd (no pid
reuse race) and reaped by the spawner's kernel (SIGCHLD ignored there).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import select
import signal
import socket
import stat
import time
from multiprocessing.connection import Connection
from typing import Any

from ..stores import oxrun
from .config import Limits
from .fairness import FairGate
from .worker import Context, Reply, error, serve_forever

IDLE = -1  # the ``nice`` of a pool whose workers run only on CPU time nothing else wants
_SPAWN = b"s"


class _Worker:
    def __init__(self, conn: Connection, pid: int, pidfd: int | None) -> None:
        self.conn = conn
        self.pid = pid
        self.pidfd = pidfd
        self.dead = False  # seen dead while idle (its socket reached end of file)

    def kill(self, wait: bool = False) -> None:
        """SIGKILL; with ``wait``, until it has exited (at most 5 s). The spawner reaps it."""
        with contextlib.suppress(OSError):
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                if wait:  # a pidfd turns readable when its process has exited
                    select.select([self.pidfd], [], [], 5)
            else:  # no pidfd (Linux before 5.3): by pid, which may be reused once reaped
                os.kill(self.pid, signal.SIGKILL)
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        self.conn.close()


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux), so that a worker deep in a slow query
    does not outlive a server that was killed; where prctl is missing, EOF on its socket ends
    it after the query."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


class _Spawner:
    """A copy of the server, forked once, that forks workers when asked."""

    def __init__(self, ctx: Context, nice: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        server = os.getpid()
        pid = os.fork()
        if pid == 0:  # the spawner
            try:
                _die_with_parent(server)
                ours.close()
                _spawner_main(ctx, theirs, nice)
            finally:
                os._exit(0)
        theirs.close()
        self.sock = ours
        self.pid = pid

    def ask(self) -> None:
        self.sock.send(_SPAWN)

    def receive(self) -> _Worker:
        """The next new worker (raises BlockingIOError when none is there yet)."""
        msg, fds, _, _ = socket.recv_fds(self.sock, 16, 2)
        if not msg:
            raise EOFError("the spawner has gone")
        return _Worker(Connection(fds[0]), int.from_bytes(msg, "little"),
                       fds[1] if len(fds) > 1 else None)

    def close(self) -> None:
        self.sock.close()  # the spawner exits at end of file; make sure, then collect it
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)


def _spawner_main(ctx: Context, control: socket.socket, nice: int) -> None:
    signal.set_wakeup_fd(-1)  # the server's event loop is not running here
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # exited workers are reaped at once
    _close_sockets(keep=control.fileno())
    spawner = os.getpid()
    while True:
        try:
            if not control.recv(1):
                return  # the server has gone
        except OSError:
            return
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the worker
            try:
                _die_with_parent(spawner)
                ours.close()
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _main(ctx, Connection(theirs.detach()), nice)
            finally:
                os._exit(0)
        theirs.close()
        pidfd = None
        with contextlib.suppress(AttributeError, OSError):  # Linux 5.3 and later
            pidfd = os.pidfd_open(pid)
        fds = [ours.fileno()] + ([pidfd] if pidfd is not None else [])
        try:
            socket.send_fds(control, [pid.to_bytes(4, "little")], fds)
        except OSError:
            return
        finally:
            ours.close()
            if pidfd is not None:
                os.close(pidfd)


def _main(ctx: Context, conn: Connection, nice: int) -> None:
    if nice == IDLE and ctx.oxigraph is not None:
        # Oxigraph's query threads are made now, at normal priority: a short ad-hoc query runs
        # as fast as the machine lets it; one past 20 ms is lowered to SCHED_IDLE (stores.oxrun)
        oxrun.prepare()
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
        self._gate = FairGate(self.workers)
        self._spawner: Any = None
        self.killed = 0  # workers killed at their deadline (for the log and the tests)

    def start(self) -> None:
        """Fork the spawner and the first workers (blocking: the server is not serving yet)."""
        gc.freeze()  # the graph's objects stay shared with the forks: GC would touch them
        self._idle = asyncio.Queue()
        self._spawner = _Spawner(self.ctx, self.nice)
        for _ in range(self.workers):
            self._spawner.ask()
            self._add(self._spawner.receive())
        self._spawner.sock.setblocking(False)
        asyncio.get_running_loop().add_reader(self._spawner.sock.fileno(), self._arrived)

    def _add(self, worker: _Worker) -> None:
        self._all.add(worker)
        self._idle_again(worker)

    def _idle_again(self, worker: _Worker) -> None:
        """Back in the idle queue, watched: an idle worker never writes, so its socket turns
        readable only when it has died."""
        assert self._idle is not None
        self._idle.put_nowait(worker)
        asyncio.get_running_loop().add_reader(worker.conn.fileno(), self._died, worker)

    def _died(self, worker: _Worker) -> None:
        """An idle worker died: replace it now; it stays in the queue, marked, and is skipped."""
        asyncio.get_running_loop().remove_reader(worker.conn.fileno())
        worker.dead = True
        self._all.discard(worker)
        worker.kill(wait=False)
        self._spawn()

    def _spawn(self) -> None:
        """Ask for a replacement worker; it joins the pool when it arrives (``_arrived``)."""
        try:
            self._spawner.ask()
        except OSError:  # the spawner died (killed from outside): a new one, once
            self._respawn()

    def _arrived(self) -> None:
        while True:
            try:
                self._add(self._spawner.receive())
            except BlockingIOError:
                return
            except (OSError, EOFError):
                self._respawn()
                return

    def _respawn(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(Exception):
            loop.remove_reader(self._spawner.sock.fileno())
        self._spawner.close()
        missing = self.workers - len(self._all)
        self._spawner = _Spawner(self.ctx, self.nice)  # a fork in the loop: rare
        self._spawner.sock.setblocking(False)
        loop.add_reader(self._spawner.sock.fileno(), self._arrived)
        for _ in range(max(missing, 0)):
            self._spawner.ask()

    def close(self) -> None:
        for w in list(self._all):
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(w.conn.fileno())
            w.kill(wait=True)
        self._all.clear()
        if self._spawner is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._spawner.sock.fileno())
            self._spawner.close()
            self._spawner = None

    @property
    def busy(self) -> int:
        return len(self._all) - (self._idle.qsize() if self._idle else 0)

    async def _checkout(self, deadline: float) -> _Worker:
        """An idle, live worker (the gate has made sure one is there or on its way)."""
        assert self._idle is not None
        while True:
            worker = await asyncio.wait_for(self._idle.get(),
                                            max(deadline - time.monotonic(), 0.001))
            if worker.dead:
                continue  # replaced already, when it died
            asyncio.get_running_loop().remove_reader(worker.conn.fileno())
            if worker.conn.poll(0):  # died in this very iteration: replace it, skip it
                self._all.discard(worker)
                worker.kill(wait=False)
                self._spawn()
                continue
            return worker

    async def run(self, job: dict[str, Any], timeout: float | None = None,
                  client: str = "") -> Reply:
        """Run ``job`` in a worker within ``timeout`` seconds (default: the server's);
        ``client`` (server.clients) decides whose waiting request a freed worker takes."""
        assert self._idle is not None, "start() the pool first"
        deadline = time.monotonic() + (timeout or self.limits.timeout)
        if self._gate.free <= 0 and self._gate.waiting >= self.queue:
            raise Saturated
        try:
            await asyncio.wait_for(self._gate.enter(client),
                                   max(deadline - time.monotonic(), 0.001))
        except asyncio.TimeoutError:
            return error(503, "query_timeout", "no worker became free before the deadline")
        try:
            return await self._run_in_worker(job, deadline, timeout)
        finally:
            self._gate.leave(client)

    async def _run_in_worker(self, job: dict[str, Any], deadline: float,
                             timeout: float | None) -> Reply:
        try:
            worker = await self._checkout(deadline)
        except asyncio.TimeoutError:
            return error(503, "query_timeout", "no worker became free before the deadline")
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
        self._idle_again(worker)
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
