"""The project tree is found as git finds a repository: --home, then $NATOEU_HOME, then the tree
around the working directory, then the packaged copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.resources import Resources, find_tree, locate

# A membership as "Adding a fact" shows it, but without its source (prov:wasDerivedFrom).
UNSOURCED = """
ne:membership-mda-nato-unsourced a natoeu:Membership ;
    rdfs:label "Moldova in NATO"@en ;
    org:member ne:MDA ;
    org:organization ne:NATO ;
    org:memberDuring [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2024-01-01"^^xsd:date ] ;
        natoeu:endStatus natoeu:Ongoing ;
        natoeu:lastVerified "2024-03-07"^^xsd:date ;
        natoeu:verifiedAgainst ne:source-difesaonline-nato-32-paesi ] ;
    natoeu:confidence natoeu:HighConfidence .
"""


@pytest.fixture()
def checkout(res: Resources, tmp_path: Path) -> Path:
    """A copy of the repository's tree files, as a contributor's checkout holds them."""
    root = tmp_path / "checkout"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(res.root / part, root / part)
    (root / "README.md").write_text("a checkout\n", encoding="utf-8")
    return root


@pytest.fixture()
def no_home_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NATOEU_HOME", raising=False)


def test_tree_found_from_a_folder_below_it(checkout: Path) -> None:
    below = checkout / "data" / "notes" / "deeper"
    below.mkdir(parents=True)
    assert find_tree(below) == checkout.resolve()
    assert find_tree(checkout) == checkout.resolve()


def test_not_a_tree_without_data_and_queries(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "natoeu.ttl").write_text("", encoding="utf-8")
    assert find_tree(tmp_path / "ontology") is None
    (tmp_path / "data").mkdir()
    (tmp_path / "queries").mkdir()
    assert find_tree(tmp_path / "ontology") == tmp_path.resolve()


def test_order_home_env_cwd_packaged(checkout: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, no_home_env: None) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = tmp_path / "other"
    shutil.copytree(checkout, other)
    found = locate(cwd=checkout / "queries")
    assert found.root == checkout.resolve() and "working directory" in found.origin
    outside = locate(cwd=elsewhere)
    assert outside.root != checkout.resolve() and outside.ontology.is_file()
    assert "working directory" not in outside.origin
    gone = locate(cwd=tmp_path / "deleted" / "folder")  # a working directory that is gone
    assert gone.root == outside.root
    monkeypatch.setenv("NATOEU_HOME", str(other))
    assert locate(cwd=checkout).root == other.resolve()
    assert locate(cwd=checkout).origin == "NATOEU_HOME"
    assert locate(checkout, cwd=elsewhere).root == checkout.resolve()
    assert locate(checkout, cwd=elsewhere).origin == "--home"
    with pytest.raises(UsageError, match="not a natoeu project tree"):
        locate(elsewhere)


def test_check_inside_a_checkout_checks_its_edits(checkout: Path, tmp_path: Path,
                                                  no_home_env: None) -> None:
    pristine = tmp_path / "pristine"
    shutil.copytree(checkout, pristine)
    with (checkout / "data" / "memberships.ttl").open("a", encoding="utf-8") as f:
        f.write(UNSOURCED)

    proc = run_cli("check", cwd=checkout / "data")  # a folder below the tree, as with git
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"project tree {checkout.resolve()} (found from the working directory)" in proc.stderr
    assert "ne:membership-mda-nato-unsourced" in proc.stderr
    assert "prov:wasDerivedFrom" in proc.stderr

    proc = run_cli("check", cwd=pristine)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"project tree {pristine.resolve()}" in proc.stderr
    assert "ok   query shared-members" in proc.stdout

    # --home wins over the working directory
    proc = run_cli("--home", str(pristine), "validate", cwd=checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"project tree {pristine.resolve()} (--home)" in proc.stderr
