"""Incremental validation (pipeline.incremental) gives a full validation's results, and
`natoeu check` / `natoeu qa` after an edit give the same findings as with --no-cache.

Edits are seeded across files, one after another on the same remembered state, so that each run
reuses what the previous one validated: a shape violation, a term typo, a check-query row, a QA
error; then each is taken back.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib.plugins.stores.memory import Memory
from rdflib.store import Store

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline import incremental
from natoeu_graph.pipeline.build import parse_project
from natoeu_graph.pipeline.recording import RecordingStore
from natoeu_graph.pipeline.validate import validate as full_validation

BACKWARDS = """
ne:membership-backwards a natoeu:Membership ;
    rdfs:label "Finland in NATO, backwards"@en ;
    org:member ne:FIN ; org:organization ne:NATO ;
    org:memberDuring [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2023-04-04"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date ] ] ;
    natoeu:confidence natoeu:HighConfidence ;
    prov:wasDerivedFrom ne:source-factsheet-2018 .
"""
TYPO = "\nne:SWE rdfs:seeAlso ne:FIN ;\n    skos:prefLabell \"Sverige\"@sv .\n"
# the second source node of a page another file already cites: a row of duplicate-sources
TWIN_SOURCE = """
ne:source-twin a natoeu:Source ;
    rdfs:label "A second node for a page"@en ;
    dcterms:title "A second node for a page" ;
    dcterms:publisher ne:NATO ;
    natoeu:sourceKind natoeu:OfficialWebPage ;
    foaf:page <{page}> .
"""
UNSOURCED_PLACE = '\nne:place-unsourced a natoeu:Place ;\n    rdfs:label "Unsourced"@en .\n'


def _append(root: Path, file: str, text: str) -> None:
    with (root / "data" / file).open("a", encoding="utf-8") as fh:
        fh.write(text)


@pytest.fixture()
def tree(res: Resources, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "tree"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(res.root / part, root / part)
    yield root


def _findings(root: Path, folder: Path, use_cache: bool) -> list[tuple]:
    ontology, shapes, data, origin = parse_project(Resources(root))
    if use_cache:
        report = incremental.validate(ontology, data, shapes, origin, root, folder).report
    else:
        report = full_validation(ontology + data, shapes, origin)
    return sorted((v.severity, v.focus, v.path, v.message, v.value, v.file)
                  for v in report.results)


def test_incremental_equals_full_after_each_edit(tree: Path, tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    clean = _findings(tree, folder, True)  # the first run validates every pair
    assert clean == _findings(tree, folder, False)
    original = {f: (tree / "data" / f).read_text(encoding="utf-8")
                for f in ("memberships.ttl", "people.ttl", "states.ttl")}
    steps = [
        ("memberships.ttl", BACKWARDS),  # ends before it begins; overlaps Finland's membership
        ("people.ttl", "\nne:jens-stoltenberg foaf:name \"J. S.\" .\n"),  # a second name
        ("states.ttl", "\nne:FIN natoeu:confidence natoeu:LowConfidence .\n"),  # no note
    ]
    for file, text in steps:
        _append(tree, file, text)
        after = _findings(tree, folder, True)
        assert after == _findings(tree, folder, False), file
        assert after != clean, f"the edit of {file} changed nothing: a seed that tests nothing"
    # the edits taken back, in another order: the first results again
    for file in ("people.ttl", "memberships.ttl", "states.ttl"):
        (tree / "data" / file).write_text(original[file], encoding="utf-8")
        assert _findings(tree, folder, True) == _findings(tree, folder, False)
    assert _findings(tree, folder, True) == clean


def test_an_edit_revalidates_only_what_it_can_affect(tree: Path, tmp_path: Path) -> None:
    ontology, shapes, data, origin = parse_project(Resources(tree))
    first = incremental.validate(ontology, data, shapes, origin, tree, tmp_path)
    assert first.kept == 0 and first.checked > 500
    _append(tree, "memberships.ttl", BACKWARDS)
    ontology, shapes, data, origin = parse_project(Resources(tree))
    second = incremental.validate(ontology, data, shapes, origin, tree, tmp_path)
    assert 0 < second.checked < 50 and second.kept > 500
    assert not second.report.conforms


def test_reads_go_through_the_recorded_entry_points() -> None:
    """rdflib's memory store answers every read through ``triples`` (``triples_choices``
    falls back to it) or ``__len__``: the two the recording store overrides. A new read path
    in rdflib would escape the record; this test fails first."""
    assert "triples_choices" not in Memory.__dict__
    assert Memory.triples_choices is Store.triples_choices
    assert {"triples", "__len__"} <= set(RecordingStore.__dict__)


def _normalise(text: str) -> list[str]:
    """The findings, without the lines that name the tree or time a run."""
    return sorted(line for line in text.splitlines()
                  if line.strip() and not line.startswith("natoeu: checking"))


def _both(root: Path, env: dict[str, str], *args: str) -> tuple[str, str]:
    cached = run_cli(*args, cwd=root, env=env)
    fresh = run_cli("--no-cache", *args, cwd=root, env=env)
    assert cached.returncode == fresh.returncode, (cached.stderr, fresh.stderr)
    return cached.stdout + cached.stderr, fresh.stdout + fresh.stderr


def test_check_and_qa_after_an_edit_match_a_run_without_cache(res: Resources, tree: Path,
                                                             tmp_path: Path) -> None:
    env = {"NATOEU_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli("check", cwd=tree, env=env).returncode == 0  # the state to build on
    # 1. a shape violation and a term typo, in two files
    _append(tree, "memberships.ttl", BACKWARDS)
    _append(tree, "states.ttl", TYPO)
    cached, fresh = _both(tree, env, "check")
    assert _normalise(cached) == _normalise(fresh)
    lines = cached.splitlines()
    backwards = (tree / "data" / "memberships.ttl").read_text(encoding="utf-8").splitlines()
    during = next(i for i, li in enumerate(backwards, 1)
                  if "org:memberDuring [" in li and i > len(backwards) - 8)
    assert any(f"data/memberships.ttl:{during}: ne:membership-backwards org:memberDuring" in li
               and "ends (2020-01-01) before it begins" in li for li in lines), cached
    assert any(re.search(r"data/states\.ttl:\d+: skos:prefLabell is not a term of its "
                         r"vocabulary .*did you mean skos:prefLabel", li) for li in lines), cached
    # 2. those fixed; a check-query row made of nodes in two files
    for file in ("memberships.ttl", "states.ttl"):
        shutil.copy(res.root / "data" / file, tree / "data" / file)
    page = re.search(r"foaf:page <([^>]+)>",
                     (tree / "data" / "sources-operations.ttl").read_text(encoding="utf-8"))
    assert page is not None
    _append(tree, "sources-memberships.ttl", TWIN_SOURCE.format(page=page.group(1)))
    cached, fresh = _both(tree, env, "check")
    assert _normalise(cached) == _normalise(fresh)
    assert re.search(r"data/sources-memberships\.ttl:\d+: .*source-twin", cached), cached
    # 3. a QA error and a shape violation for `natoeu qa`
    _append(tree, "places.ttl", UNSOURCED_PLACE)
    cached, fresh = _both(tree, env, "qa")
    assert _normalise(cached) == _normalise(fresh)
    assert re.search(r"error: fact_without_source: data/places\.ttl:\d+: ne:place-unsourced",
                     cached), cached
