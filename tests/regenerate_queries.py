"""Write the composed canned queries from their parts: python tests/regenerate_queries.py"""

from __future__ import annotations

from natoeu_graph.core.atomic import write_bytes
from natoeu_graph.core.resources import locate
from natoeu_graph.sparql.compose import compose

COMPOSED = ("factsheet-changes",)

if __name__ == "__main__":
    res = locate()
    for name in COMPOSED:
        write_bytes(res.queries_dir / f"{name}.rq", compose(res.queries_dir / name).encode())
        print(f"wrote queries/{name}.rq")
