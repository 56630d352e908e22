"""The benchmark generator: a scaled tree passes `natoeu check`, and the output is deterministic."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
generate = pytest.importorskip("generate")

SYNTHETIC = 3_000  # triples on top of the shipped graph: small enough for a ~30 s check


def _digest(tree: Path) -> dict[str, str]:
    return {str(p.relative_to(tree)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scaled") / "tree"
    target = generate.base_triples() + SYNTHETIC
    assert 0 <= generate.generate(out, target, seed=7) - target < 50  # stops after an entity
    return out


def test_deterministic(tree: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate.generate(again, generate.base_triples() + SYNTHETIC, seed=7)
    assert _digest(again) == _digest(tree)
    assert any(name.startswith("data/synthetic-") for name in _digest(tree))


def test_natoeu_check_accepts_the_tree(tree: Path, tmp_path: Path) -> None:
    natoeu = Path(sys.executable).with_name("natoeu")
    env = {**os.environ, "NATOEU_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("NATOEU_HOME", None)
    proc = subprocess.run([str(natoeu), "--home", str(tree), "check"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "conforms to the shapes" in proc.stdout
