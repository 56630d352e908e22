"""Rewrite tests/expected/*.csv from the current graph. Review the diff before committing it.

    python tests/regenerate_expected.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from query_cases import CASES, EXTERNAL, case_file

from natoeu_graph.core.resources import locate
from natoeu_graph.pipeline.build import build
from natoeu_graph.pipeline.parse_external import parse_external
from natoeu_graph.sparql.queries import get_query, run_canned
from natoeu_graph.sparql.results import to_csv

if __name__ == "__main__":
    res = locate()
    graph = build(res).merged()
    out = Path(__file__).parent / "expected"
    out.mkdir(exist_ok=True)
    for name, params in CASES:
        g = graph + parse_external([str(EXTERNAL[name])]) if name in EXTERNAL else graph
        result = run_canned(g, get_query(res.queries_dir, name), params)
        (out / case_file(name, params)).write_text(to_csv(result), encoding="utf-8")
    print(f"wrote {len(CASES)} files to {out}")
