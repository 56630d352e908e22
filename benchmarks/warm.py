"""Benchmark: warm `natoeu query shared-members -f csv` and warm `natoeu sparql` (a SELECT as CSV
and as a table, a CONSTRUCT as Turtle) as whole processes, beside `python -c "import rdflib"`
run in the same session, interleaved, medians of N runs. The warm paths (stores.warm,
stores.warm_sparql) and the full command on rdflib (`--store rdflib` / `--engine rdflib`) are
both timed; their answers are compared byte for byte first. Not a test.

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
SELECT = ('SELECT ?state ?name ?since WHERE { ?m org:member ?state ; org:organization ne:NATO ;'
          ' org:memberDuring/time:hasBeginning/time:inXSDDate ?since . ?state rdfs:label ?name'
          ' FILTER(LANG(?name) = "en") } ORDER BY ?since ?name')
CONSTRUCT = ("CONSTRUCT { ?m org:member ?s ; org:memberDuring ?i . ?i ?p ?o } WHERE { "
             "?m org:member ?s ; org:organization ne:EU ; org:memberDuring ?i . ?i ?p ?o }")
# label, the warm command, the same on rdflib
COMMANDS = [
    ("query shared-members -f csv", ["query", "shared-members", "-f", "csv"],
     ["--store", "rdflib"]),
    ("sparql SELECT -f csv", ["sparql", SELECT, "-f", "csv"], ["--engine", "rdflib"]),
    ("sparql SELECT (table)", ["sparql", SELECT], ["--engine", "rdflib"]),
    ("sparql CONSTRUCT (Turtle)", ["sparql", CONSTRUCT], ["--engine", "rdflib"]),
]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    env = {**os.environ, "NATOEU_CACHE_DIR": tempfile.mkdtemp(prefix="natoeu-bench-")}
    first = [NATOEU, *COMMANDS[0][1]]
    for _ in range(3):  # build, then prime the warm path (skipped while an input is racy-new)
        subprocess.run(first, check=True, env=env, stdout=subprocess.DEVNULL)
        time.sleep(2)
    for label, args, rdflib in COMMANDS:
        warm = subprocess.run([NATOEU, *args], check=True, env=env, capture_output=True).stdout
        full = subprocess.run([NATOEU, *args, *rdflib], check=True, env=env,
                              capture_output=True).stdout
        if warm != full:
            sys.exit(f"{label}: the warm answer differs from rdflib's")
    runs: dict[str, list[float]] = {"python -c 'import rdflib'": []}
    for _ in range(repeat):  # interleaved: load on the machine hits all of them alike
        runs["python -c 'import rdflib'"].append(timed([sys.executable, "-c", "import rdflib"],
                                                       env))
        for label, args, rdflib in COMMANDS:
            runs.setdefault(f"natoeu {label}", []).append(timed([NATOEU, *args], env))
            runs.setdefault(f"natoeu {label} {' '.join(rdflib)}", []).append(
                timed([NATOEU, *args, *rdflib], env))
    base = statistics.median(runs["python -c 'import rdflib'"])
    print(f"{date.today()}  {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; medians of {repeat} interleaved runs")
    print(f"{'command':58s} {'median':>10s} {'x import rdflib':>16s}")
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name:58s} {med * 1000:7.1f} ms {med / base:15.2f}x")
    shutil.rmtree(env["NATOEU_CACHE_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
