"""A store the user has is never emptied: `natoeu load` killed at any moment leaves the previous
store whole (or the new one, whole), and a path that is not a natoeu store of these inputs is
refused, never cleared."""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
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


def test_a_symlinked_store_is_built_at_its_target_and_the_link_kept(tmp_path: Path) -> None:
    """`load --store oxigraph:LINK` replaced the link with a folder and left the target
    stale; a dangling link was an internal error (exit 4)."""
    (tmp_path / "stores").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "stores" / "natoeu")
    proc = run_cli("load", "--store", f"oxigraph:{link}")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and quads(tmp_path / "stores" / "natoeu") > 1000
    assert not [p for p in tmp_path.rglob("*natoeu-staging*")]
    answer = run_cli("query", "member-counts", "-p", "date=2018-07-01", "-f", "csv",
                     "--store", f"oxigraph:{link}")
    assert answer.returncode == 0 and "2018-07-01,29,28,22" in answer.stdout, answer.stderr
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "no-such-folder" / "store")
    for args in (("load", "--store", f"oxigraph:{dangling}"),
                 ("query", "member-counts", "--store", f"oxigraph:{dangling}")):
        proc = run_cli(*args)
        assert proc.returncode == 2 and "a symbolic link to" in proc.stderr, proc.stderr
        assert "hint: " in proc.stderr and dangling.is_symlink()


def _no_bigger_files(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails (EFBIG), as on a
    # full disk, instead of killing the process


def test_a_store_that_does_not_fit_is_a_user_error_and_leaves_nothing(tmp_path: Path) -> None:
    """A full disk was an internal error (exit 4) and left a staging folder behind."""
    target = tmp_path / "store"
    proc = subprocess.run([NATOEU, "load", "--store", f"oxigraph:{target}"],
                          capture_output=True, text=True, check=False,
                          preexec_fn=lambda: _no_bigger_files(64 * 1024))
    assert proc.returncode == 2, proc.stderr
    assert f"{target}: cannot build the store there" in proc.stderr and "hint: " in proc.stderr
    assert not target.exists() and not list(tmp_path.iterdir())


def test_a_store_in_a_read_only_folder_is_refused_before_the_work(tmp_path: Path) -> None:
    """A read-only parent was an internal error (exit 4), after the whole build. Root may write
    anywhere: there the folder is a read-only tmpfs in a mount namespace of the command's own
    (skipped where the machine allows neither)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    command = [NATOEU, "load", "--store", f"oxigraph:{folder / 'store'}"]
    if os.geteuid() != 0:
        folder.chmod(0o555)
        expected = "permission denied"
    else:
        unshare = shutil.which("unshare")
        probe = subprocess.run([unshare or "unshare", "-m", "true"], capture_output=True,
                               check=False) if unshare else None
        if probe is None or probe.returncode != 0:
            pytest.skip("root, and no mount namespace to make a read-only folder in")
        command = [unshare or "", "-m", "sh", "-c",
                   f'mount -t tmpfs -o ro tmpfs "{folder}" && exec "$@"', "sh", *command]
        expected = "the folder is read-only"
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"cannot build the store there: {expected}" in proc.stderr, proc.stderr
    assert "parsed" not in proc.stderr  # refused before the work
