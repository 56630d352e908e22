"""`natoeu qa`: the shipped graph passes; one seeded problem of each kind is found and named."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from qa_seeds import HEADER, SEEDS, Seed
from rdflib import Graph

from natoeu_graph.core.namespaces import new_graph
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.parse import SubjectFiles, parse_files, parse_turtle
from natoeu_graph.qa.report import LEVELS, check_graphs, load_checks


@pytest.fixture(scope="module")
def parsed(res: Resources) -> tuple[Graph, Graph, SubjectFiles]:
    ontology = parse_turtle(res.ontology, "ontology/natoeu.ttl")
    data, origin = parse_files(res.data_files(), res.root)
    return ontology, data, origin


def _copy(g: Graph) -> Graph:
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in g)
    return out


def test_every_check_has_a_seed_and_a_level(res: Resources) -> None:
    checks = load_checks(res)
    assert {c.name for c in checks} == set(SEEDS)
    assert all(c.level in LEVELS and c.summary and c.description and c.refs for c in checks)
    refs = " ".join(c.refs for c in checks)
    for pitfall in ("P04", "P05", "P06", "P08", "P11", "P13", "P19", "P22", "P24", "P38", "P41"):
        assert pitfall in refs, pitfall


def test_p11_is_info_by_design(res: Resources) -> None:
    (p11,) = [c for c in load_checks(res) if c.name == "missing_domain_range"]
    assert p11.level == "info" and "by design" in p11.description


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seeded_problem_is_found(res: Resources, parsed: tuple[Graph, Graph, SubjectFiles],
                                 name: str) -> None:
    ontology, data, origin = parsed
    before = check_graphs(res, ontology, data, origin, only=[name])
    seed = SEEDS[name]
    onto, dat = _copy(ontology), _copy(data)
    onto.parse(data=HEADER + seed.ontology, format="turtle")
    dat.parse(data=HEADER + seed.data, format="turtle")
    for s, p in seed.remove:
        onto.remove((s, p, None))
    after = check_graphs(res, onto, dat, origin, only=[name])
    new = [f for f in after.findings if f not in before.findings]
    assert new, f"{name}: the seeded problem was not found"
    assert any(seed.expect in f"{f.entity} {f.value} {f.message}" for f in new), new
    level = after.checks[0].level
    assert after.failed("error") == (level == "error")
    assert after.failed("warn") == (level in ("error", "warn"))


def test_shipped_graph_passes_with_a_summary() -> None:
    proc = run_cli("qa")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["check", "level", "count", "refs"]
    for name in SEEDS:
        assert any(line.split()[:1] == [name] for line in lines), name
    assert "findings: 0 error" in proc.stdout
    assert "Traceback" not in proc.stderr


def _seed_copy(root: Path, level: str, res: Resources) -> dict[str, Seed]:
    """Write every add-only seed of ``level`` into a project copy (one data file, the ontology
    appended), plus the licence removal for errors; return the seeds written."""
    levels = {c.name: c.level for c in load_checks(res)}
    chosen = {n: s for n, s in SEEDS.items() if levels[n] == level and not s.remove}
    # two seeds define natoeu:loose; one copy is enough
    ontology = "".join(dict.fromkeys(s.ontology for s in chosen.values()))
    with (root / "ontology" / "natoeu.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\n" + ontology)
    (root / "data" / "zz-qa-seeds.ttl").write_text(
        HEADER + "".join(s.data for s in chosen.values()), encoding="utf-8")
    if level == "error":
        path = root / "ontology" / "natoeu.ttl"
        text = path.read_text(encoding="utf-8")
        licence = "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n"
        assert licence in text
        path.write_text(text.replace(licence, ""), encoding="utf-8")
        chosen["missing_ontology_license"] = SEEDS["missing_ontology_license"]
    return chosen


def test_cli_names_each_seeded_error(project_copy: Path, res: Resources) -> None:
    seeds = _seed_copy(project_copy, "error", res)
    proc = run_cli("--home", str(project_copy), "qa")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "quality checks failed" in proc.stderr and "Traceback" not in proc.stderr
    for name, seed in seeds.items():
        lines = [li for li in proc.stdout.splitlines() if li.startswith(f"error: {name}: ")]
        assert any(seed.expect in li for li in lines), (name, lines)
    # data findings name the data file and the line of the node
    (line,) = [li for li in proc.stdout.splitlines() if li.startswith("error: fact_without_source")]
    text = (project_copy / "data" / "zz-qa-seeds.ttl").read_text(encoding="utf-8").splitlines()
    number = next(i for i, li in enumerate(text, 1) if li.startswith("ne:place-nowhere "))
    assert f"data/zz-qa-seeds.ttl:{number}: ne:place-nowhere" in line
    assert "ontology/natoeu.ttl:" in next(li for li in proc.stdout.splitlines()
                                           if li.startswith("error: missing_label: "))


def test_cli_reports_warnings_without_failing(project_copy: Path, res: Resources) -> None:
    seeds = _seed_copy(project_copy, "warn", res)
    proc = run_cli("--home", str(project_copy), "qa", "--min-level", "warn")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, seed in seeds.items():
        assert any(li.startswith(f"warn: {name}: ") and seed.expect in li
                   for li in proc.stdout.splitlines()), name
    assert "info: " not in proc.stdout  # --min-level warn hides info findings
    assert run_cli("--home", str(project_copy), "qa", "--fail-on", "warn").returncode == 1


def test_help_has_example() -> None:
    proc = run_cli("qa", "--help")
    assert proc.returncode == 0 and "Example:" in proc.stdout
