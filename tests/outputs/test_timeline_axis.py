"""The members chart of the timeline covers the whole history the memberships record."""

from __future__ import annotations

from datetime import date

from matplotlib.dates import num2date

from natoeu_graph.outputs.timeline import (
    OPERATIONS,
    _rows,
    figure,
    operations,
    org_colours,
    to_date,
)
from natoeu_graph.pipeline.build import Built
from natoeu_graph.sparql.queries import run

EARLIEST = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT (MIN(?begin) AS ?first) WHERE {
  ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?begin }"""


def test_members_chart_starts_with_the_first_membership(built: Built) -> None:
    (row,) = run(built.merged(), EARLIEST).bindings
    first = to_date(row["first"])
    assert first is not None and first.year == 1949  # NATO's founding, in the shipped data
    fig = figure(built, today=date(2026, 12, 1))
    counts, docs, *_ = fig.axes
    left = num2date(counts.get_xlim()[0]).date()
    assert left == date(first.year, 1, 1)
    # the panels below keep their tighter axis, which starts decades later
    assert num2date(docs.get_xlim()[0]).date().year > 1990
    # the earliest step drawn is the first membership's day
    assert min(min(line.get_xdata()) for line in counts.get_lines()) == first


def test_operation_bars_do_not_follow_the_row_order(built: Built) -> None:
    """An operation with several conductors has a bar per conductor, drawn over each other;
    which one is on top must not depend on the order the store returns rows in (it differed
    between a graph read from the cache and one just built)."""
    g = built.merged()
    colours = org_colours(g)
    rows = [r for r in _rows(g, OPERATIONS)]
    forward = operations(g, colours, {OPERATIONS: rows})
    backward = operations(g, colours, {OPERATIONS: rows[::-1]})
    assert forward == backward
    names = [s.row for s in forward]
    assert len(names) > len(set(names))  # there is such an operation (ISAF under lead nations)
