"""Errors a user can cause exit 1, 2 or 3 with a hint that fits; exit 4 is kept for bugs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import run_cli


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
