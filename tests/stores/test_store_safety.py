"""A store the user has is never emptied: `natoeu load` killed at any moment leaves the previous
store whole (or the new one, whole), and a path that is not a natoeu store of these inputs is
refused, never cleared."""

from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
from conftest import NATOEU, run_cli

from natoeu_graph.stores import disk

KILL_POINTS = 24


def quads(path: Path) -> int:
    store = ox.Store.read_only(str(path))
    return len(store)


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*")):
        h.update(str(f.relative_to(path)).encode())
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()


def change_data(project: Path) -> None:
    """A real change of the graph: one more place, labelled and sourced like its neighbours."""
    places = project / "data" / "places.ttl"
    text = places.read_text(encoding="utf-8")
    first = re.search(r"^ne:\S+ a natoeu:Place\b.*?\.\n", text, re.S | re.M)
    assert first is not None
    copy = re.sub(r"^ne:\S+", "ne:place-kill-test", first.group(0), count=1, flags=re.M)
    copy = re.sub(r'rdfs:label "[^"]*"@en', 'rdfs:label "Kill test"@en', copy)
    places.write_text(text + "\n" + copy, encoding="utf-8")


def test_kill_at_many_points_leaves_a_whole_store(project_copy: Path, tmp_path: Path) -> None:
    home = ("--home", str(project_copy))
    path = tmp_path / "stores" / "store"
    first = run_cli(*home, "load", "--store", f"oxigraph:{path}")
    assert first.returncode == 0, first.stderr
    old_key, old_quads = disk.inspect(path).key, quads(path)

    change_data(project_copy)
    reference = tmp_path / "reference"
    started = time.monotonic()
    ref = run_cli(*home, "load", "--store", f"oxigraph:{reference}")
    total = time.monotonic() - started
    assert ref.returncode == 0, ref.stderr
    new_key, new_quads = disk.inspect(reference).key, quads(reference)
    assert (new_key, new_quads) != (old_key, old_quads)
    # spread over the whole run, and dense where the new store is written and switched in
    inferred = float(re.search(r"([\d.]+) s  inferred", ref.stderr).group(1))  # type: ignore
    points = [total * i / 16 for i in range(1, 17)]
    points += [inferred + (total - inferred) * i / 8 for i in range(8)]
    assert len(points) >= KILL_POINTS

    outcomes = set()
    for delay in points:
        proc = subprocess.Popen([NATOEU, *home, "load", "--store", f"oxigraph:{path}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        content = disk.inspect(path)
        assert content.holds is disk.Holds.NATOEU, f"killed after {delay:.2f} s: {content}"
        expected = {old_key: old_quads, new_key: new_quads}
        assert content.key in expected, f"killed after {delay:.2f} s: unknown key"
        assert quads(path) == expected[content.key], f"killed after {delay:.2f} s: partial"
        outcomes.add(content.key)
    assert old_key in outcomes  # the kills did land before the switch

    last = run_cli(*home, "load", "--store", f"oxigraph:{path}")
    assert last.returncode == 0, last.stderr
    assert (disk.inspect(path).key, quads(path)) == (new_key, new_quads)
    # staging folders of killed builds are removed by the next build; nothing else is left
    assert sorted(p.name for p in path.parent.iterdir()) == ["store"]


def test_a_folder_that_is_not_a_store_is_never_touched(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "thesis.txt").write_text("years of work\n")
    other = tmp_path / "other-store"
    foreign = ox.Store(str(other))
    foreign.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.Literal("c")))
    foreign.flush()
    del foreign
    before = {p: tree_digest(p) for p in (notes, other)}
    for target in (notes, other):
        for args in (("load",), ("query", "member-counts")):
            proc = run_cli(*args, "--store", f"oxigraph:{target}")
            assert proc.returncode == 2, proc.stderr
            assert "not a natoeu store, left untouched" in proc.stderr
            assert "hint: Choose a new path" in proc.stderr
    assert {p: tree_digest(p) for p in (notes, other)} == before
    assert quads(other) == 1


def test_a_store_of_other_inputs_is_refused_not_cleared(project_copy: Path,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "store"
    built = run_cli("load", "--store", f"oxigraph:{path}")  # the shipped graph
    assert built.returncode == 0, built.stderr
    key, count = disk.inspect(path).key, quads(path)
    change_data(project_copy)
    proc = run_cli("--home", str(project_copy), "query", "member-counts", "--store",
                   f"oxigraph:{path}")
    assert proc.returncode == 2
    assert "the store holds the graph of other inputs" in proc.stderr
    assert f"natoeu load --store oxigraph:{path}" in proc.stderr
    assert (disk.inspect(path).key, quads(path)) == (key, count)
