"""The cache of the reasoned, validated graph: reused, rebuilt on change, never half-used."""

from __future__ import annotations

from pathlib import Path

import pytest

from natoeu_graph.core.resources import Resources, locate
from natoeu_graph.pipeline import build as build_mod
from natoeu_graph.pipeline.build import build, cache_key


@pytest.fixture()
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    return cache


def test_second_build_comes_from_cache(private_cache: Path, res: Resources) -> None:
    first = build(res, validated=False)
    assert not first.from_cache
    second = build(res, validated=False)
    assert second.from_cache
    assert set(second.inferred) == set(first.inferred)
    assert set(second.asserted) == set(first.asserted)


def test_input_change_changes_key(project_copy: Path) -> None:
    res = locate(project_copy)
    before = cache_key(res, True)
    with (project_copy / "data" / "places.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the bytes\n")
    assert cache_key(res, True) != before
    assert cache_key(res, False) != cache_key(res, True)


def test_corrupt_or_truncated_cache_is_rebuilt(private_cache: Path, res: Resources) -> None:
    build(res, validated=False)
    (path,) = private_cache.glob("graph-*.pickle")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # half-written
    rebuilt = build(res, validated=False)
    assert not rebuilt.from_cache
    assert build(res, validated=False).from_cache
    path.write_bytes(data[:-10] + b"0123456789")  # corrupt payload, same length
    assert not build(res, validated=False).from_cache


def test_no_temporary_files_left(private_cache: Path, res: Resources) -> None:
    build(res, validated=False)
    assert [p.name for p in private_cache.iterdir() if not p.name.endswith(".pickle")] == []
    assert build_mod.cache_dir() == private_cache
