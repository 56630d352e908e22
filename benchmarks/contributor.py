"""Benchmark: the contributor's loop. `natoeu check` and `natoeu qa` right after a one-line
edit of a data file, beside `python -c "import rdflib"` in the same session, interleaved,
medians of N runs. Not a test.

A copy of the project tree gets a fresh cache and one check and qa run (what a contributor's
machine holds after their last run). Then each round edits one line of data (a fact's last
verification date, one day earlier each round: no cache holds the graph of a round) and times
the command; `--comment` appends a new comment line instead (the graph is unchanged, the file
is not). The first, cold run after each cache is emptied is timed too.

    python benchmarks/contributor.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

NATOEU = shutil.which("natoeu") or "natoeu"
ROOT = Path(__file__).resolve().parents[1]
EDITED = "memberships.ttl"
_DATE = re.compile(r'(natoeu:lastVerified ")(\d{4}-\d{2}-\d{2})(")')


def timed(cmd: list[str], env: dict[str, str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    took = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
    return took


class Editor:
    """Toggles one fact's natoeu:lastVerified between its date and the day before, or appends
    a comment line."""

    def __init__(self, tree: Path, comment: bool) -> None:
        self.path = tree / "data" / EDITED
        self.text = self.path.read_text(encoding="utf-8")
        self.comment = comment
        self.n = 0
        match = _DATE.search(self.text)
        assert match is not None, f"no natoeu:lastVerified in data/{EDITED}"
        self.match = match

    def edit(self) -> None:
        self.n += 1
        if self.comment:
            text = self.text + f"# edit {self.n}\n"
        else:  # a day never used before: no cache can hold the graph of this round
            day = date.fromisoformat(self.match.group(2)) - timedelta(days=self.n)
            text = (self.text[:self.match.start(2)] + day.isoformat()
                    + self.text[self.match.end(2):])
        self.path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--comment", action="store_true",
                        help="edit a comment instead of a fact")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="natoeu-contributor-"))
    tree = work / "tree"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / part, tree / part)
    cache = work / "cache"
    env = {**os.environ, "NATOEU_CACHE_DIR": str(cache)}
    env.pop("NATOEU_HOME", None)
    editor = Editor(tree, args.comment)
    runs: dict[str, list[float]] = {"python -c 'import rdflib'": [],
                                    "natoeu check, after an edit": [],
                                    "natoeu qa, after an edit": [],
                                    "natoeu check, unchanged": [],
                                    "natoeu check, cold (empty cache)": [],
                                    "natoeu qa, cold (empty cache)": []}
    timed([NATOEU, "check"], env, tree)
    timed([NATOEU, "qa"], env, tree)
    for _ in range(args.repeat):  # interleaved: load on the machine hits every row alike
        runs["python -c 'import rdflib'"].append(
            timed([sys.executable, "-c", "import rdflib"], env, tree))
        editor.edit()
        runs["natoeu check, after an edit"].append(timed([NATOEU, "check"], env, tree))
        runs["natoeu check, unchanged"].append(timed([NATOEU, "check"], env, tree))
        editor.edit()
        runs["natoeu qa, after an edit"].append(timed([NATOEU, "qa"], env, tree))
    for _ in range(max(1, args.repeat // 3)):
        shutil.rmtree(cache, ignore_errors=True)
        runs["natoeu check, cold (empty cache)"].append(timed([NATOEU, "check"], env, tree))
        runs["natoeu qa, cold (empty cache)"].append(timed([NATOEU, "qa"], env, tree))
    base = statistics.median(runs["python -c 'import rdflib'"])
    edit = "a comment line" if args.comment else "a fact's date"
    print(f"{date.today()}  {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; edit: {edit} in data/{EDITED}; medians of "
          f"{args.repeat} interleaved runs (cold: {max(1, args.repeat // 3)})")
    print(f"{'command':36s} {'median':>10s} {'min':>10s} {'x import rdflib':>16s}")
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name:36s} {med * 1000:8.0f} ms {min(times) * 1000:8.0f} ms "
              f"{med / base:15.2f}x")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
