"""An ad-hoc query evaluated by Oxigraph in a thread with a deep stack, its answer taken whole.

Oxigraph's parser and evaluator recurse on the native stack, and a stack overflow kills the
process (sparql.screen says how deep, and which texts may come here at all). The query is
parsed, planned and evaluated (Oxigraph evaluates lazily, while the answer is read) in a thread
whose stack is ``screen.STACK_BYTES``; the answer is read there, up to ``limit`` rows or triples
(plus one, to tell that there were more). The thread's stack is address space, mapped as it
is touched; a server worker's memory cap counts it.
No rdflib: the warm path uses this module.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..sparql.screen import STACK_BYTES


@dataclass
class Answer:
    """What Oxigraph answered, read in full (or up to the limit); terms are pyoxigraph's."""

    kind: str  # "SELECT", "ASK" or "GRAPH" (CONSTRUCT, DESCRIBE)
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # None where unbound
    boolean: bool = False
    triples: list[tuple[Any, Any, Any]] = field(default_factory=list)
    more: bool = False  # rows or triples beyond the limit were left unread


def _read(result: Any, limit: int | None) -> Answer:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return Answer("ASK", boolean=bool(result))
    cap = None if limit is None else limit + 1
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        width = range(len(names))
        rows: list[tuple[Any, ...]] = []
        for solution in result:
            rows.append(tuple(solution[i] for i in width))
            if cap is not None and len(rows) >= cap:
                break
        more = cap is not None and len(rows) >= cap
        return Answer("SELECT", names, rows[:limit] if more else rows, more=more)
    seen: dict[tuple[Any, Any, Any], None] = {}  # a graph is a set: Oxigraph may repeat
    for t in result:
        seen[(t.subject, t.predicate, t.object)] = None
        if cap is not None and len(seen) >= cap:
            break
    triples = list(seen)
    more = cap is not None and len(triples) >= cap
    return Answer("GRAPH", triples=triples[:limit] if more else triples, more=more)


def _bare(exc: BaseException) -> BaseException:
    """``exc`` and the exceptions it chains to, their tracebacks dropped."""
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        e.__traceback__ = None
        e = e.__cause__ or e.__context__
    return exc


class _Thread:
    """A thread with a deep stack that runs one query at a time (at the priority of the thread
    that made it). Started with _thread, which does not wait for the thread to run: a server's
    worker makes its query threads and lowers itself to SCHED_IDLE within microseconds."""

    def __init__(self, stack: int | None = None) -> None:
        self.jobs: queue.SimpleQueue[Callable[[], Any] | None] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.tid: int | None = None
        before = threading.stack_size(stack if stack is not None else STACK_BYTES)
        try:
            # not joined at exit: a CLI interrupted while a query runs may exit without it
            _thread.start_new_thread(self._loop, ())
        finally:
            threading.stack_size(before)

    def _loop(self) -> None:
        self.tid = threading.get_native_id()
        while True:
            job = self.jobs.get()
            if job is None:
                return
            try:
                self.done.put(job())
            except BaseException as exc:  # re-raised in the caller's thread
                # without its frames: they hold Oxigraph's iterators, which must be dropped on
                # the thread that made them (pyoxigraph marks them unsendable)
                self.done.put(_bare(exc))

    def demote(self) -> None:
        """Lower to SCHED_IDLE (Linux): for good, an unprivileged thread cannot rise again.
        (It has run the job that is too slow, so it has its id.)"""
        if self.tid is None:
            return
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setscheduler(self.tid, os.SCHED_IDLE, os.sched_param(0))


class _Runner:
    """The query threads of a process, made on first use or by ``prepare`` (after any fork: a
    forked child has no copy of its parent's threads). A thread per query cost 0.2 ms (glibc
    does not keep stacks this large for reuse), so one thread runs query after query; with
    ``demote_after`` set, a query still running after that many seconds has its thread lowered
    to SCHED_IDLE, and the next query goes to a spare thread made at the priority it had."""

    def __init__(self) -> None:
        self.pid = -1
        self.current: _Thread | None = None
        self.spares: list[_Thread] = []
        self.demote_after: float | None = None
        self.lock = threading.Lock()

    def prepare(self, spares: int, demote_after: float) -> None:
        """Make the threads now, before the caller lowers its own priority (server.pool)."""
        with self.lock:
            self.pid = os.getpid()
            self.current = _Thread()
            self.spares = [_Thread() for _ in range(spares)]
            self.demote_after = demote_after

    def call(self, job: Callable[[], Any]) -> Any:
        with self.lock:
            if self.pid != os.getpid():
                self.pid, self.current, self.spares = os.getpid(), None, []
            if self.current is None:
                self.current = self.spares.pop() if self.spares else _Thread()
            worker = self.current
            worker.jobs.put(job)
            try:
                outcome = worker.done.get(timeout=self.demote_after)
            except queue.Empty:  # a slow query: only CPU time that nothing else wants
                worker.demote()
                self.current = None
                outcome = worker.done.get()
                worker.jobs.put(None)  # that thread ends
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


_RUNNER = _Runner()


def prepare(spares: int = 3, demote_after: float = 0.02) -> None:
    """For a server's ad-hoc worker, before it lowers itself to SCHED_IDLE: query threads at
    normal priority, each lowered once a query on it runs past ``demote_after`` seconds (so
    short queries take their share of the CPU, slow ones only what is left), and ``spares``
    more for the queries after such a one (a worker that ran that many slow queries is
    usually replaced at a deadline first; after that, new threads are as idle as the worker)."""
    _RUNNER.prepare(spares, demote_after)


def evaluate(store: Any, text: str, default_graph: Sequence[str] | None,
             named_graphs: Sequence[str] | None, prefixes: dict[str, str] | None = None,
             base: str | None = None, limit: int | None = None,
             stack: int | None = None) -> Answer:
    """Evaluate ``text`` on ``store`` over the dataset whose default graph is the merge of
    ``default_graph`` and whose named graphs are ``named_graphs`` (both IRIs of the store's
    graphs; a FROM in the text does not change them); both None: every named graph of the
    store, their merge as the default graph (Oxigraph's union mode, 1.5-2x faster on joins than
    naming them). ``stack`` larger than the query threads' (screen.stack_for, for the
    project's own long queries): on a thread of its own with that stack, which ends with the
    query. Raises what Oxigraph raises: SyntaxError for a text it does not parse, OSError or
    ValueError for a failed evaluation."""
    import pyoxigraph as ox

    def run() -> Answer:
        if default_graph is None and named_graphs is None:
            result = store.query(text, base_iri=base, prefixes=prefixes,
                                 use_default_graph_as_union=True)
        else:
            result = store.query(text, base_iri=base, prefixes=prefixes,
                                 default_graph=[ox.NamedNode(g) for g in default_graph or ()],
                                 named_graphs=[ox.NamedNode(g) for g in named_graphs or ()])
        return _read(result, limit)

    if stack is not None and stack > STACK_BYTES:
        thread = _Thread(stack)
        thread.jobs.put(run)
        thread.jobs.put(None)
        outcome = thread.done.get()
        if isinstance(outcome, BaseException):
            raise outcome
        answer = outcome
    else:
        answer = _RUNNER.call(run)
    assert isinstance(answer, Answer)
    return answer
