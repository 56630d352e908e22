"""Benchmark: a warm `natoeu query shared-members -f csv` as a whole process, beside
`python -c "import rdflib"` run in the same session, interleaved, medians of N runs. The warm
path (stores.warm) and the full command on the rdflib store (`--store rdflib`) are both timed;
their answers are compared byte for byte first. Not a test.

    python benchmarks/warm.py [--repeat 7]
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
from datetime import date

NATOEU = shutil.which("natoeu") or "natoeu"
QUERY = ["query", "shared-members", "-f", "csv"]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    env = {**os.environ, "NATOEU_CACHE_DIR": tempfile.mkdtemp(prefix="natoeu-bench-")}
    for _ in range(3):  # build, then prime the warm path (skipped while an input is racy-new)
        subprocess.run([NATOEU, *QUERY], check=True, env=env, stdout=subprocess.DEVNULL)
        time.sleep(2)
    warm = subprocess.run([NATOEU, *QUERY], check=True, env=env, capture_output=True).stdout
    full = subprocess.run([NATOEU, *QUERY, "--store", "rdflib"], check=True, env=env,
                          capture_output=True).stdout
    if warm != full:
        sys.exit("the warm answer differs from --store rdflib's")
    runs: dict[str, list[float]] = {"import rdflib": [], "warm": [], "full (--store rdflib)": []}
    for _ in range(repeat):  # interleaved: load on the machine hits all three alike
        runs["import rdflib"].append(timed([sys.executable, "-c", "import rdflib"], env))
        runs["warm"].append(timed([NATOEU, *QUERY], env))
        runs["full (--store rdflib)"].append(timed([NATOEU, *QUERY, "--store", "rdflib"], env))
    base = statistics.median(runs["import rdflib"])
    print(f"{date.today()}  {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; medians of {repeat} interleaved runs")
    print(f"{'command':52s} {'median':>10s} {'x import rdflib':>16s}")
    for name, times in runs.items():
        med = statistics.median(times)
        label = f"natoeu {' '.join(QUERY)}" if name == "warm" else name
        if name.startswith("full"):
            label = f"natoeu {' '.join(QUERY)} --store rdflib"
        print(f"{label:52s} {med * 1000:8.1f} ms {med / base:15.2f}x")
    shutil.rmtree(env["NATOEU_CACHE_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
