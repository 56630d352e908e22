"""Errors a user can cause exit 1, 2 or 3 with a hint that fits; exit 4 is kept for bugs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import threading
from pathlib import Path

from conftest import NATOEU, run_cli

FIXTURES = Path(__file__).parent / "fixtures"


def assert_usage(proc: subprocess.CompletedProcess[str], code: int, needle: str,
                 hint: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert f"error: {needle}" in proc.stderr and f"hint: {hint}" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


def test_unwritable_output() -> None:
    proc = run_cli("export", "-f", "nt", "-o", "/proc/natoeu-out.nt")
    assert_usage(proc, 2, "/proc/natoeu-out.nt: cannot write", "Check that the folder is writable")


def test_unknown_reasoner_in_environment(tmp_path: Path) -> None:
    proc = run_cli("--no-cache", "query", "member-counts",
                   env={"NATOEU_REASONER": "fastest", "NATOEU_CACHE_DIR": str(tmp_path)})
    assert_usage(proc, 2, "NATOEU_REASONER='fastest' is not a reasoner",
                 "Use one of rules, fast, owlrl")


def test_with_a_folder_without_rdf(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not RDF\n")
    proc = run_cli("query", "member-counts", "--with", str(tmp_path))
    assert_usage(proc, 3, f"{tmp_path}: a folder without RDF files", "Files are read by suffix")


def test_an_unwritable_cache_costs_speed_not_the_answer() -> None:
    proc = run_cli("query", "member-counts", "-p", "date=2018-07-01", "-f", "csv",
                   env={"NATOEU_CACHE_DIR": "/proc/natoeu-cache"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1] == "2018-07-01,29,28,22"


def test_a_full_disk_on_stdout_is_a_user_error() -> None:
    """Exit 4 ("bug") for a full disk: /dev/full takes nothing (ENOSPC)."""
    for args in (("export", "-f", "nt"), ("query", "member-counts", "-p", "date=2018-07-01")):
        with open("/dev/full", "wb") as full:
            proc = subprocess.run([NATOEU, *args], stdout=full, stderr=subprocess.PIPE,
                                  text=True, check=False)
        assert_usage(proc, 2, "the disk is full", "Free some space")


def test_output_to_a_pipe_is_written_into_it_not_replaced(tmp_path: Path) -> None:
    """An atomic rename put a regular file where the pipe (or, as root, /dev/full) was."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    proc = run_cli("export", "-f", "nt", "-o", str(fifo))
    reader.join(60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and got and got[0].count(b"\n") > 1000


def test_output_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    link = tmp_path / "out.nt"
    link.symlink_to(tmp_path / "real" / "graph.nt")
    assert run_cli("export", "-f", "nt", "-o", str(link)).returncode == 0
    assert link.is_symlink() and (tmp_path / "real" / "graph.nt").stat().st_size > 0
    dangling = tmp_path / "dangling.nt"
    dangling.symlink_to(tmp_path / "no-such-folder" / "graph.nt")
    proc = run_cli("export", "-f", "nt", "-o", str(dangling))
    assert_usage(proc, 2, f"{dangling}: a symbolic link to", "Point the link at a file")
    assert dangling.is_symlink()


def test_a_parse_timeout_beyond_a_week_is_refused() -> None:
    proc = run_cli("query", "member-counts", "--with", str(FIXTURES / "wikidata-iso-codes.ttl"),
                   env={"NATOEU_PARSE_TIMEOUT": "1e12"})
    assert_usage(proc, 2, "NATOEU_PARSE_TIMEOUT='1e12' is not a number of seconds",
                 "Set it to a positive number")


def test_a_huge_year_in_a_wikidata_extract_is_compared(tmp_path: Path) -> None:
    """A year of twenty digits overflowed the date arithmetic (exit 4); it is a value that
    differs like any other."""
    doc = json.loads((FIXTURES / "wikidata-reconcile.json").read_text())
    doc["results"]["bindings"][0]["start"] = {
        "type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#dateTime",
        "value": "+99999999999999999999-01-01T00:00:00Z"}
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(doc))
    proc = run_cli("reconcile", "--with", str(answer))
    assert proc.returncode == 1, proc.stderr  # a difference, reported
    assert "99999999999999999999-01-01" in proc.stdout
