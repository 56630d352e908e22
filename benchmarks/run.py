"""Benchmark: cold build and warm `natoeu query` as whole processes, beside baselines run in
the same session: `python -c "import rdflib"` and the naive path (load + pyshacl + owlrl on
every call, benchmarks/naive.py). Prints medians and ratios; not a test.

    python benchmarks/run.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from natoeu_graph.core.resources import locate

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(n: int, cmd: list[str], env: dict[str, str], before: object = None) -> float:
    times = []
    for _ in range(n):
        if callable(before):
            before()
        times.append(timed(cmd, env))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    args = parser.parse_args()
    natoeu = shutil.which("natoeu") or str(Path(sys.executable).with_name("natoeu"))
    cache = Path(tempfile.mkdtemp(prefix="natoeu-bench-"))
    env = {**os.environ, "NATOEU_CACHE_DIR": str(cache)}
    query = [natoeu, "query", "shared-members", "-p", "date=2018-07-01", "-f", "csv"]
    root = str(locate().root)

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    slow_n = max(3, args.repeat // 2)
    rows = [
        ("python -c 'import rdflib' (baseline)",
         median_of(args.repeat, [sys.executable, "-c", "import rdflib"], env)),
        ("naive: load + pyshacl + owlrl + query",
         median_of(slow_n, [sys.executable, str(HERE / "naive.py"), root], env)),
        ("natoeu query, cold (empty cache)", median_of(slow_n, query, env, before=clear)),
    ]
    subprocess.run(query, check=True, env=env, stdout=subprocess.DEVNULL)  # warm the cache
    rows.append(("natoeu query, warm (cached graph)", median_of(args.repeat, query, env)))
    on_disk = [*query, "--store", f"oxigraph:{cache / 'store'}"]
    subprocess.run(on_disk, check=True, env=env, stdout=subprocess.DEVNULL)  # fill the store
    rows.append(("natoeu query, warm, --store oxigraph:PATH", median_of(args.repeat, on_disk, env)))
    base, naive = rows[0][1], rows[1][1]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; median of {args.repeat} (slow rows {slow_n}) runs")
    print(f"{'figure':42} {'median s':>9} {'x import rdflib':>16} {'x naive':>8}")
    for name, secs in rows:
        print(f"{name:42} {secs:9.3f} {secs / base:16.2f} {secs / naive:8.3f}")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
