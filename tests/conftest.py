"""Shared fixtures: the shipped graph is built once per session, in a private cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

# Every process the tests start (and the library calls below) use a throw-away cache.
_CACHE = tempfile.mkdtemp(prefix="natoeu-test-cache-")
os.environ["NATOEU_CACHE_DIR"] = _CACHE

from natoeu_graph.core.resources import Resources, locate  # noqa: E402
from natoeu_graph.pipeline.build import Built, build  # noqa: E402

NATOEU = shutil.which("natoeu") or str(Path(sys.executable).with_name("natoeu"))


@pytest.fixture(scope="session")
def res() -> Resources:
    return locate()


@pytest.fixture(scope="session")
def built(res: Resources) -> Built:
    return build(res)


@pytest.fixture(scope="session")
def graph(built: Built) -> Graph:
    """Ontology + asserted + inferred: what queries run over. Tests must not mutate it."""
    return built.merged()


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
