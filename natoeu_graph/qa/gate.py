"""What `natoeu check` runs on the built graph: the violation queries (any row fails) and every
canned query with its defaults (each must run).

The outcome is a function of the graph (its cache key hashes the inputs, the code and the
library versions), the query files and, since canned queries may default to today, the date:
it is remembered under a hash of those, so an unchanged tree is checked once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.resources import Resources
from ..pipeline import memo
from ..pipeline.build import Built, cache_dir
from ..sparql.queries import list_queries, parse_query_file, run, run_canned
from ..sparql.results import select_rows


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    summary: str
    rows: list[list[str]]  # each violating row, its terms as text


@dataclass(frozen=True)
class Gate:
    checks: list[CheckOutcome]
    queries: list[tuple[str, int]]  # canned query name, rows (1 for ASK/CONSTRUCT)

    @property
    def failed(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.rows]


def _compute(built: Built, res: Resources) -> Gate:
    graph = built.merged()
    checks = []
    for path in sorted(res.checks_dir.glob("*.rq")):
        q = parse_query_file(path)
        rows = select_rows(run(graph, q.text, source=f"queries/checks/{path.name}"))
        checks.append(CheckOutcome(q.name, q.summary, [[str(t) for t in row] for row in rows]))
    queries = []
    for q in list_queries(res.queries_dir):
        result = run_canned(graph, q, {})
        queries.append((q.name, len(select_rows(result)) if result.type == "SELECT" else 1))
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
                                          [[str(t) for t in r] for r in c["rows"]])
                             for c in hit["checks"]],
                            [(str(n), int(k)) for n, k in hit["queries"]])
            except (KeyError, TypeError, ValueError):
                pass  # not what this code writes: compute it afresh
    outcome = _compute(built, res)
    if use_cache:
        memo.save(cache_dir(), "check", digest, {
            "checks": [{"name": c.name, "summary": c.summary, "rows": c.rows}
                       for c in outcome.checks],
            "queries": [list(q) for q in outcome.queries]})
    return outcome
