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


class _Runner:
    """One thread with a deep stack per process, started on first use (after any fork: a
    forked child has no copy of its parent's threads), that runs one query at a time. A thread
    per query cost 0.2 ms (glibc does not keep stacks this large for reuse)."""

    def __init__(self) -> None:
        self.pid = -1
        self.jobs: queue.SimpleQueue[Callable[[], Any]] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.lock = threading.Lock()

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                self.done.put(job())
            except BaseException as exc:  # re-raised in the caller's thread
                self.done.put(exc)

    def call(self, job: Callable[[], Any]) -> Any:
        with self.lock:
            if self.pid != os.getpid():
                self.jobs, self.done = queue.SimpleQueue(), queue.SimpleQueue()
                before = threading.stack_size(STACK_BYTES)
                try:
                    # a daemon: a CLI interrupted while a query runs may exit without it
                    threading.Thread(target=self._loop, name="oxigraph-query",
                                     daemon=True).start()
                finally:
                    threading.stack_size(before)
                self.pid = os.getpid()
            self.jobs.put(job)
            outcome = self.done.get()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


_RUNNER = _Runner()


def evaluate(store: Any, text: str, default_graph: Sequence[str] | None,
             named_graphs: Sequence[str] | None, prefixes: dict[str, str] | None = None,
             base: str | None = None, limit: int | None = None) -> Answer:
    """Evaluate ``text`` on ``store`` over the dataset whose default graph is the merge of
    ``default_graph`` and whose named graphs are ``named_graphs`` (both IRIs of the store's
    graphs; a FROM in the text does not change them); both None: every named graph of the
    store, their merge as the default graph (Oxigraph's union mode, 1.5-2x faster on joins than
    naming them). Raises what Oxigraph raises: SyntaxError for a text it does not parse,
    OSError or ValueError for a failed evaluation."""
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

    answer = _RUNNER.call(run)
    assert isinstance(answer, Answer)
    return answer
