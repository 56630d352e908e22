"""Which reasoner runs, and within what budget: a forked worker killed at the deadline, and a
size cap per engine."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from rdflib import Graph
from rdflib.term import Node

from ...core import env
from ...core.errors import ReasoningBudgetError, UsageError
from ...core.forked import Forked
from ...core.namespaces import new_graph

BUDGET_ENV = "NATOEU_REASONING_TIMEOUT"
DEFAULT_TIMEOUT = 600.0
MAX_INPUT_TRIPLES = 200_000  # owlrl: 150 s at 100k, superlinear
# reasonable's memory grows faster than its input: 0.5 GiB at 100k, 3.5 GiB at 300k, killed
# above 14 GiB at 1M (benchmarks, 2026-11-25); refuse with a message rather than be OOM-killed
MAX_INPUT_TRIPLES_FAST = 300_000


ENGINE_ENV = "NATOEU_REASONER"


ENGINES = ("rules", "fast", "owlrl")
# the rules run inside Oxigraph: 3.5 s and no blow-up at 100k where reasonable takes 23 s
MAX_INPUT_TRIPLES_RULES = 5_000_000


def engine_name() -> str:
    """The reasoner in use: $NATOEU_REASONER (rules, fast or owlrl), else the first installed.

    rules (the ontology compiled into SPARQL updates run in Oxigraph, pipeline.reason.rules) and
    fast (reasonable + property chains) are defaults only because
    tests/pipeline/test_reasoning.py proves that they give owlrl's answers to every canned query
    and check, and the same triples as each other; owlrl stays the reference.
    """
    chosen = os.environ.get(ENGINE_ENV)
    if chosen in ENGINES:
        return chosen
    if chosen:
        raise UsageError(f"{ENGINE_ENV}={chosen!r} is not a reasoner",
                         hint=f"Use one of {', '.join(ENGINES)}, or unset it.")
    try:
        import reasonable  # noqa: F401
    except ImportError:
        return "owlrl"
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return "fast"
    return "rules"


def _budget_from_env() -> float:
    return env.seconds(BUDGET_ENV, DEFAULT_TIMEOUT)


def _infer(given: Graph | Callable[[], Graph], ontology: Graph | None,
           engine: str) -> list[tuple[Node, Node, Node]]:
    """In the forked worker: the entailments of ``given`` (or of the graph it makes)."""
    asserted = given() if callable(given) else given
    if engine == "rules":
        from .rules import infer_rules

        result = infer_rules(asserted, ontology)
    elif engine == "fast":
        from .fast import infer_fast

        result = infer_fast(asserted)
    else:
        from .full import infer

        result = infer(asserted)
    return [(s, p, o) for s, p, o in result]


def infer_within_budget(asserted: Graph, timeout: float | None = None,
                        max_triples: int | None = None,
                        engine: str | None = None, ontology: Graph | None = None) -> Graph:
    """Reason with ``engine`` in a forked worker that is killed at the deadline.

    ``ontology`` (the T-box part of ``asserted``) lets the rules engine compile it.

    owlrl cannot be interrupted from inside the process, and some inputs make it run for
    minutes (a 100-node owl:sameAs chain took 95 s), so the budget is enforced
    by killing the worker.
    """
    return start_inference(asserted, timeout, max_triples, engine, ontology).result()


class Inference:
    """Reasoning under way in a forked worker (core.forked): ``result()`` waits for it within
    the budget; ``cancel()`` stops it. The caller may work meanwhile (pipeline.build
    validates)."""

    def __init__(self, worker: Forked[list[tuple[Node, Node, Node]]], limit: float) -> None:
        self._worker, self._limit = worker, limit
        self._started = time.monotonic()

    def result(self) -> Graph:
        left = max(self._limit - (time.monotonic() - self._started), 0.0)
        try:
            triples = self._worker.result(timeout=left)
        except TimeoutError:
            raise ReasoningBudgetError(
                f"reasoning stopped after {self._limit:g} s (budget exceeded)",
                hint=f"The input makes OWL RL explode; raise {BUDGET_ENV} only if you "
                "trust it.") from None
        out = new_graph()
        out.addN((s, p, o, out) for s, p, o in triples)
        return out

    def cancel(self) -> None:
        self._worker.cancel()


def start_inference(asserted: Graph | Callable[[], Graph], timeout: float | None = None,
                    max_triples: int | None = None, engine: str | None = None,
                    ontology: Graph | None = None, size: int | None = None) -> Inference:
    """Fork the reasoning worker of ``infer_within_budget`` and return at once. ``asserted``
    may be a function that makes the input graph, called in the worker (always a fork, whose
    objects are copies: it may change them); ``size`` is then a bound on the input's size,
    for the budget."""
    engine = engine or engine_name()
    if max_triples is None:
        max_triples = {"fast": MAX_INPUT_TRIPLES_FAST, "rules": MAX_INPUT_TRIPLES_RULES}.get(
            engine, MAX_INPUT_TRIPLES)
    n = size if size is not None else len(asserted)  # type: ignore[arg-type]
    if n > max_triples:
        raise ReasoningBudgetError(
            f"reasoning refused: {n} input triples exceed the {engine} reasoner's "
            f"budget of {max_triples}",
            hint="Reason over a smaller graph, or build it in Oxigraph with `natoeu load "
            "--store oxigraph:PATH`, whose rules engine takes larger graphs.")
    limit = timeout if timeout is not None else _budget_from_env()
    return Inference(Forked(_infer, asserted, ontology, engine), limit)
