"""Shared fixtures: the shipped graph is built once per run, in a private cache.

Under pytest-xdist (`-n 2`) the workers share that cache: the controller makes the folder and
the workers inherit its path (entries are keyed by their inputs and written atomically), and the
first worker to need the graph builds it while the others wait for it and read it back. Each
test module runs in one worker, so that a module's server or fixture starts once; the site
tests, which share the built site, run in one worker too.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

# Every process the tests start (and the library calls below) use a throw-away cache: one per
# run, made by the process that owns the run (pytest, or pytest-xdist's controller) and removed
# by it at the end.
_SHARED = "NATOEU_TEST_RUN_DIR"
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get(_SHARED):
    _RUN, _OWNER = Path(os.environ[_SHARED]), False
else:
    _RUN, _OWNER = Path(tempfile.mkdtemp(prefix="natoeu-test-run-")), True
    (_RUN / "cache").mkdir()
    os.environ[_SHARED] = str(_RUN)
_CACHE = _RUN / "cache"  # the locks beside it: tests look for stray files in the cache
os.environ["NATOEU_CACHE_DIR"] = str(_CACHE)

from natoeu_graph.core.resources import Resources, locate  # noqa: E402
from natoeu_graph.pipeline.build import Built, build  # noqa: E402

pytest_plugins = ["cputime"]  # --cpu-durations=N: CPU seconds per test, the load aside

NATOEU = shutil.which("natoeu") or str(Path(sys.executable).with_name("natoeu"))

# Test modules that run together in one worker: they share a session fixture that is costly to
# make (the static site). Every other module is a group of its own.
GROUPS = {"tests/site/": "site"}
# The longest groups (seconds on one core, `pytest --durations`), handed out first so that no
# worker is left with a long one at the end; the others follow by number of tests.
LONGEST = ("tests/pipeline/test_incremental.py", "tests/stores/test_store_safety.py",
           "tests/pipeline/test_validation_engine.py", "tests/pipeline/test_reasoning.py",
           "tests/server/test_engines.py", "tests/qa/test_qa.py", "site", "tests/test_readme.py",
           "tests/outputs/test_export.py", "tests/outputs/test_linked_data.py")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWNER:
        shutil.rmtree(_RUN, ignore_errors=True)


def _group(item: pytest.Item) -> str:
    path = item.nodeid.split("::", 1)[0]
    return next((g for prefix, g in GROUPS.items() if path.startswith(prefix)), path)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist: each module (or group of modules) one unit of work, longest first."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    sizes: dict[str, int] = {}
    for item in items:
        if not any(item.iter_markers("xdist_group")):
            item.add_marker(pytest.mark.xdist_group(_group(item)))
        sizes[_group(item)] = sizes.get(_group(item), 0) + 1

    def rank(item: pytest.Item) -> tuple[int, int, str]:
        g = _group(item)
        first = LONGEST.index(g) if g in LONGEST else len(LONGEST)
        return first, -sizes[g], g

    items.sort(key=rank)  # stable: a module's own order is kept


class _Lock:
    """An exclusive lock on a file of the run (fcntl: released if the holder dies)."""

    def __init__(self, name: str) -> None:
        self.path = _RUN / f"{name}.lock"

    def __enter__(self) -> None:
        self.fh = self.path.open("a")
        fcntl.flock(self.fh, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


@pytest.fixture(scope="session")
def res() -> Resources:
    return locate()


@pytest.fixture(scope="session")
def built(res: Resources) -> Built:
    with _Lock("built"):  # one worker builds and caches it; the others read it back
        return build(res)


@pytest.fixture(scope="session", autouse=True)
def _graph_in_the_cache(built: Built) -> None:
    """The shipped graph is in the run's cache before any test starts `natoeu`: otherwise the
    first command of each worker would build it at the same time."""


@pytest.fixture(scope="session")
def graph(built: Built) -> Graph:
    """Ontology + asserted + inferred: what queries run over. Tests must not mutate it."""
    return built.merged()


def cache_with_graph(folder: Path) -> Path:
    """A new cache folder holding the run's built graph (and its validation), and nothing that a
    command remembered (exports, timelines): a command given it computes its output itself."""
    folder.mkdir(parents=True)
    for pattern in ("graph-*.json", "tbox-*.json", "validation-*.json"):
        for path in _CACHE.glob(pattern):
            shutil.copy2(path, folder / path.name)
    return folder


def run_cli(*args: str, cwd: str | Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `natoeu` command as a real process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([NATOEU, *args], capture_output=True, text=True, cwd=cwd,
                          env=full_env, timeout=600, check=False)


@pytest.fixture()
def project_copy(res: Resources, tmp_path: Path) -> Iterator[Path]:
    """A writable copy of ontology/, data/ and queries/ for tests that break the data."""
    root = tmp_path / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(res.root / part, root / part)
    yield root
