"""What `natoeu check` runs on the built graph: the violation queries (any row fails) and every
canned query with its defaults (each must run; one that needs external data merged with --with
must parse). (Unknown terms and shapes are checked while the
graph is built: pipeline.build.)

The outcome is a function of the graph (its cache key hashes the inputs, the code and the
library versions), the query files and, since canned queries may default to today, the date:
it is remembered under a hash of those, so an unchanged tree is checked once. Queries run on
Oxigraph where proven equal to rdflib (qa.engines); ``use_cache`` False runs them all on rdflib.
Each violating row names the file and line of the node it is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import BNode, URIRef, Variable
from rdflib.term import Node

from ..core.resources import Resources
from ..pipeline import memo
from ..pipeline.build import Built, cache_dir
from ..pipeline.locate import Locator, short
from ..pipeline.parse import read_files
from ..sparql.queries import bindings, list_queries, parse_query_file
from ..stores.proven import OXIGRAPH_EQUAL
from .engines import CHECKS_EQUAL, Engines

NOT_RUN = -1  # a query that needs external data: parsed, not run (as `natoeu query` refuses it)

# the variables of a check's row that name the place to fix, most telling first
_NODE_VARS = ("subject", "usedBy", "node", "entity", "instance", "source", "term")
_PREDICATE_VARS = ("predicate", "term")


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    summary: str
    rows: list[list[str]]  # each violating row, its terms as text
    where: list[str] | None = None  # for each row, "file:line" (or "") of the node at fault

    def located(self) -> list[tuple[str, list[str]]]:
        places = self.where or [""] * len(self.rows)
        return list(zip(places, self.rows, strict=True))


@dataclass(frozen=True)
class Gate:
    checks: list[CheckOutcome]
    # canned query name, rows (1 for ASK/CONSTRUCT; NOT_RUN for a query that needs --with data)
    queries: list[tuple[str, int]]

    @property
    def failed(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.rows]


class _Places:
    """A Locator for ``built``, made only when a row needs one (it may parse the data files to
    learn which file holds each node)."""

    def __init__(self, built: Built, res: Resources) -> None:
        self.built = built
        self.res = res
        self._locator: Locator | None = None

    def locator(self) -> Locator:
        if self._locator is None:
            origin = self.built.origin
            if origin is None:
                _, origin = read_files(self.res.data_files(), self.res.root)
            self._locator = Locator(self.res.root, self.built.asserted, self.built.ontology,
                                    _relative(self.res, self.res.ontology), origin)
        return self._locator

    def row(self, row: dict[Variable, Node]) -> str:
        node = next((row[Variable(v)] for v in _NODE_VARS
                     if isinstance(row.get(Variable(v)), URIRef | BNode)), None)
        if node is None:
            return ""
        predicate = next((row[Variable(v)] for v in _PREDICATE_VARS
                          if isinstance(row.get(Variable(v)), URIRef)), None)
        return self.locator().where(node, predicate) or ""


def _text(term: Node) -> str:
    """A row's term as a reader writes it: a prefixed name where one fits."""
    return short(term) if isinstance(term, URIRef) else str(term)


def _relative(res: Resources, path: object) -> str:
    from pathlib import Path

    p = Path(str(path))
    return str(p.relative_to(res.root)) if p.is_relative_to(res.root) else str(p)


def _compute(built: Built, res: Resources, use_oxigraph: bool) -> Gate:
    engines = Engines({name: built.triples(name) for name in ("ontology", "asserted", "inferred")},
                      built.merged, use_oxigraph)
    places = _Places(built, res)
    checks = []
    for path in sorted(res.checks_dir.glob("*.rq")):
        q = parse_query_file(path)
        result = engines.query(q.text, f"queries/checks/{path.name}", q.name in CHECKS_EQUAL)
        rows = list(result.bindings) if result.type == "SELECT" else []
        names = list(result.vars or []) if result.type == "SELECT" else []
        checks.append(CheckOutcome(
            q.name, q.summary,
            [[_text(row[v]) if v in row else "" for v in names] for row in rows],
            [places.row(row) for row in rows]))
    queries = []
    for q in list_queries(res.queries_dir):
        if q.external:  # without its --with data it has nothing to answer: it must parse
            engines.parses(q.text, f"queries/{q.path.name}")
            queries.append((q.name, NOT_RUN))
            continue
        result = engines.query(q.text, q.path.name, q.name in OXIGRAPH_EQUAL, bindings(q, {}))
        queries.append((q.name, len(list(result.bindings)) if result.type == "SELECT" else 1))
    return Gate(checks, queries)


def gate(built: Built, res: Resources, use_cache: bool = True) -> Gate:
    """Run (or recall) the checks and canned queries over ``built``."""
    files = [*sorted(res.checks_dir.glob("*.rq")), *sorted(res.queries_dir.glob("*.rq"))]
    digest = memo.key(built.key, dt.date.today().isoformat(), files=files)
    if use_cache:
        hit = memo.load(cache_dir(), "check", digest)
        if hit is not None:
            try:
                return Gate([CheckOutcome(str(c["name"]), str(c["summary"]),
                                          [[str(t) for t in r] for r in c["rows"]],
                                          [str(w) for w in c["where"]])
                             for c in hit["checks"]],
                            [(str(n), int(k)) for n, k in hit["queries"]])
            except (KeyError, TypeError, ValueError):
                pass  # not what this code writes: compute it afresh
    outcome = _compute(built, res, use_oxigraph=use_cache)
    if use_cache:
        memo.save(cache_dir(), "check", digest, {
            "checks": [{"name": c.name, "summary": c.summary, "rows": c.rows,
                        "where": c.where or [""] * len(c.rows)} for c in outcome.checks],
            "queries": [list(q) for q in outcome.queries]})
    return outcome
