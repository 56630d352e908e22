"""The ontology is in OWL 2 RL (and so in OWL 2 DL) and consistent with the data, by tools the
project did not write: the OWL API's profile checkers and the HermiT reasoner, both in the HermiT
jar that owlready2 ships, driven by tests/core/owl/OwlCheck.java (compiled here with javac)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from natoeu_graph.core.resources import Resources

SOURCE = Path(__file__).parent / "owl" / "OwlCheck.java"


def _hermit_jar() -> Path:
    spec = importlib.util.find_spec("owlready2")
    assert spec is not None and spec.submodule_search_locations, "owlready2 is a test dependency"
    jar = Path(next(iter(spec.submodule_search_locations))) / "hermit" / "HermiT.jar"
    assert jar.is_file(), jar
    return jar


@pytest.fixture(scope="module")
def owlcheck(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "a JDK is needed (.ci/run installs Debian's default-jdk-headless)"
    out = tmp_path_factory.mktemp("owlcheck")
    jar = _hermit_jar()
    subprocess.run([javac, "-cp", str(jar), "-d", str(out), str(SOURCE)], check=True,
                   capture_output=True, timeout=300)
    return [java, "-cp", f"{jar}:{out}", "OwlCheck"]


def _run(cmd: list[str], *args: Path | str) -> list[str]:
    proc = subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def _profiles(lines: list[str]) -> dict[str, int]:
    return {p: int(n) for _, p, n in (li.split() for li in lines if li.startswith("profile "))}


def test_the_ontology_is_in_owl2_rl_and_dl(owlcheck: list[str], res: Resources) -> None:
    lines = _run(owlcheck, "profiles", res.ontology)
    counts = _profiles(lines)
    assert counts["DL"] == 0 and counts["RL"] == 0, [li for li in lines if "violation" in li]
    assert counts["EL"] > 0 and counts["QL"] > 0  # the checker does find what is outside a profile


def test_the_ontology_with_the_data_is_in_owl2_dl(owlcheck: list[str], tmp_path: Path) -> None:
    """Ontology + `natoeu export -f ttl`: 0 DL violations (the data used 15 properties and a
    class the ontology never declared: 1,324); outside OWL 2 RL only by its date values."""
    export = tmp_path / "natoeu.ttl"
    proc = run_cli("export", "-f", "ttl", "-o", str(export))
    assert proc.returncode == 0, proc.stderr
    lines = _run(owlcheck, "profiles", export)
    counts = _profiles(lines)
    assert counts["DL"] == 0, [li for li in lines if li.startswith("violation DL")][:20]
    outside_rl = {li.split("  [", 1)[0] for li in lines if li.startswith("violation RL")}
    assert outside_rl == {f"violation RL Use of data range not in profile: xsd:{t}"
                          for t in ("date", "gYearMonth", "gYear")}  # what model.md says


def test_the_header_claims_what_the_checker_finds(res: Resources) -> None:
    head = res.ontology.read_text(encoding="utf-8").split("@prefix", 1)[0]
    assert "In OWL 2 RL, and so in OWL 2 DL" in head


def test_a_punned_or_undeclared_term_is_caught(owlcheck: list[str], res: Resources,
                                               tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(res.ontology.read_text(encoding="utf-8")
                   + "\nnatoeu:about a owl:DatatypeProperty .\n"
                   + "natoeu:Claim rdfs:subClassOf <http://example.org/Undeclared> .\n",
                   encoding="utf-8")
    lines = _run(owlcheck, "profiles", bad)
    violations = [li for li in lines if li.startswith("violation DL ")]
    assert any("pun" in li.lower() for li in violations), violations
    assert any("Use of undeclared class: <http://example.org/Undeclared>" in li
               for li in violations), violations


def test_hermit_finds_the_ontology_and_data_consistent(owlcheck: list[str],
                                                       res: Resources) -> None:
    lines = _run(owlcheck, "consistency", res.ontology, *res.data_files())
    axioms = int(next(li.split()[1] for li in lines if li.startswith("axioms ")))
    assert axioms > 5000
    assert "consistent true" in lines


def test_hermit_finds_a_planted_contradiction(owlcheck: list[str], res: Resources,
                                              tmp_path: Path) -> None:
    bad = tmp_path / "contradiction.ttl"
    bad.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                   "<https://w3id.org/natoeu/id/FIN> a owl:Nothing .\n", encoding="utf-8")
    lines = _run(owlcheck, "consistency", res.ontology, *res.data_files(), bad)
    assert "consistent false" in lines
