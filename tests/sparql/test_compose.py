"""factsheet-changes is composed from one file per claim's check; each part runs alone and gives
the values of its row."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from natoeu_graph.core.errors import InputError
from natoeu_graph.core.resources import Resources
from natoeu_graph.sparql.compose import compose, parts
from natoeu_graph.sparql.queries import get_query, parse_query_file, run_canned

THEN, NOW = "2018-07-01", "2026-11-25"


def test_the_committed_query_is_what_its_parts_compose(res: Resources) -> None:
    composed = compose(res.queries_dir / "factsheet-changes")
    assert (res.queries_dir / "factsheet-changes.rq").read_text(encoding="utf-8") == composed, (
        "queries/factsheet-changes.rq is out of date: run python tests/regenerate_queries.py")


def test_each_part_run_alone_gives_its_row(res: Resources, graph: Graph) -> None:
    whole = run_canned(graph, get_query(res.queries_dir, "factsheet-changes"),
                       {"then": THEN, "now": NOW})
    rows = {(str(r.id), str(r.aspect)): (r.thenValue, r.nowValue) for r in whole}
    found = parts(res.queries_dir / "factsheet-changes")
    assert len(found) == len(rows) >= 15
    for part in found:
        alone = parse_query_file(part.path)
        assert [p.name for p in alone.params] == ["date"]
        values = []
        for date in (THEN, NOW):
            result = list(run_canned(graph, alone, {"date": date}))
            assert len(result) <= 1
            values.append(result[0].value if result else None)
        assert tuple(values) == rows[(part.claim, part.aspect)], part.path.name


def test_a_part_with_a_prefix_the_frame_lacks_is_refused(res: Resources, tmp_path: Path) -> None:
    folder = tmp_path / "factsheet-changes"
    shutil.copytree(res.queries_dir / "factsheet-changes", folder)
    part = next(folder.glob("S45-*.rq"))
    part.write_text(part.read_text().replace("PREFIX ne: <https://w3id.org/natoeu/id/>",
                                             "PREFIX ne: <https://example.org/other/>"))
    with pytest.raises(InputError, match="prefix ne:"):
        compose(folder)


def test_a_part_without_its_claim_is_refused(res: Resources, tmp_path: Path) -> None:
    folder = tmp_path / "factsheet-changes"
    shutil.copytree(res.queries_dir / "factsheet-changes", folder)
    part = next(folder.glob("S45-*.rq"))
    part.write_text(part.read_text().replace("#+ claim: S45\n", ""))
    with pytest.raises(InputError, match="claim"):
        compose(folder)
