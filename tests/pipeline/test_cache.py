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
    (path,) = private_cache.glob("graph-*.json")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # half-written
    rebuilt = build(res, validated=False)
    assert not rebuilt.from_cache
    assert build(res, validated=False).from_cache
    path.write_bytes(data[:-10] + b"0123456789")  # corrupt payload, same length
    assert not build(res, validated=False).from_cache


def test_no_temporary_files_left(private_cache: Path, res: Resources) -> None:
    build(res, validated=False)
    assert [p.name for p in private_cache.iterdir() if not p.name.endswith(".json")] == []
    assert build_mod.cache_dir() == private_cache


class _Plant:
    """Unpickling this writes a file: what a planted pickle cache would do on load."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path(self.target).touch, ())  # type: ignore[return-value]


def test_a_planted_cache_cannot_run_code(private_cache: Path, res: Resources,
                                         tmp_path: Path) -> None:
    import hashlib
    import pickle

    first = build(res, validated=False)
    (path,) = private_cache.glob("graph-*.json")
    witness = tmp_path / "code-ran"
    payload = pickle.dumps(_Plant(witness))
    digest = hashlib.sha256(payload).hexdigest().encode()  # a valid checksum: the key is public
    head = path.read_bytes().partition(b"\n")[0]
    path.write_bytes(head + b"\n" + digest + b"\n" + payload)
    again = build(res, validated=False)
    assert not again.from_cache and not witness.exists()
    assert set(again.asserted) == set(first.asserted)
    # an old pickle cache beside it is removed, never read
    old = private_cache / ("graph-" + "0" * 32 + ".pickle")
    old.write_bytes(payload)
    path.unlink()
    build(res, validated=False)
    assert not old.exists() and not witness.exists()


def test_the_cache_round_trips_every_kind_of_term(private_cache: Path, res: Resources) -> None:
    first = build(res, validated=False)
    second = build(res, validated=False)
    assert second.from_cache
    for part in ("ontology", "asserted", "inferred"):
        assert set(first.triples(part)) == set(second.triples(part))


def test_old_cache_files_are_pruned(private_cache: Path, res: Resources) -> None:
    import os
    import time

    private_cache.mkdir(parents=True, exist_ok=True)
    stale = []
    for i in range(build_mod.KEEP_CACHE_FILES + 3):
        f = private_cache / f"graph-{i:032d}.json"
        f.write_bytes(b"old")
        os.utime(f, (time.time() - 1000 + i, time.time() - 1000 + i))
        stale.append(f)
    build(res, validated=False)
    left = sorted(private_cache.glob("graph-*.json"))
    assert len(left) == build_mod.KEEP_CACHE_FILES
    assert not stale[0].exists() and stale[-1].exists()
