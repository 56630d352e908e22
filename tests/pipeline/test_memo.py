"""Remembered reports (validation, QA, the check gate): reused while the files are unchanged,
computed afresh when any file they depend on changes, and never trusted when damaged."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pytest

from natoeu_graph.core.errors import NotConformingError
from natoeu_graph.core.resources import Resources, locate
from natoeu_graph.pipeline import memo
from natoeu_graph.pipeline.build import build, validation
from natoeu_graph.qa.gate import gate
from natoeu_graph.qa.report import run_qa


@pytest.fixture()
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NATOEU_CACHE_DIR", str(cache))
    return cache


def test_validation_follows_the_data(private_cache: Path, project_copy: Path) -> None:
    res = locate(project_copy)
    first = validation(res)
    assert first["conforms"]
    assert list(private_cache.glob("validation-*.json"))
    assert validation(res) == first  # read back as written
    with (project_copy / "data" / "places.ttl").open("a", encoding="utf-8") as fh:
        # a membership with no member and no organisation: the shapes reject it
        fh.write("\nne:membership-test a natoeu:Membership .\n")
    second = validation(res)
    assert not second["conforms"]
    assert "ne:membership-test" in second["text"]


def test_qa_follows_its_check_files(private_cache: Path, project_copy: Path) -> None:
    res = locate(project_copy)
    before = run_qa(res, use_cache=True)
    assert [c.name for c in run_qa(res, use_cache=True).checks] == [c.name for c in before.checks]
    (project_copy / "queries" / "qa" / "every_state.rq").write_text(
        "#+ summary: every state, as a test finding\n#+ level: info\n"
        "PREFIX natoeu: <https://w3id.org/natoeu/ontology#>\n"
        "SELECT ?entity WHERE { ?entity a natoeu:State } ORDER BY ?entity\n", encoding="utf-8")
    after = run_qa(res, use_cache=True)
    assert after.count("every_state") > 20  # the new check ran: a finding per state
    # as uncached (rdflib, nothing remembered); the other checks do not change its findings
    assert after.count("every_state") == run_qa(res, only=["every_state"]).count("every_state")


def test_check_gate_follows_its_query_files(private_cache: Path, project_copy: Path) -> None:
    res = locate(project_copy)
    built = build(res)
    first = gate(built, res)
    assert not first.failed and first.queries
    assert gate(built, res) == first
    (project_copy / "queries" / "checks" / "no-states.rq").write_text(
        "#+ summary: there are states (a test check that fails)\n"
        "PREFIX natoeu: <https://w3id.org/natoeu/ontology#>\n"
        "SELECT ?s WHERE { ?s a natoeu:State } ORDER BY ?s\n", encoding="utf-8")
    second = gate(built, res)
    assert [c.name for c in second.failed] == ["no-states"]
    assert len(second.failed[0].rows) > 20


def test_a_damaged_or_planted_entry_is_recomputed(private_cache: Path, tmp_path: Path) -> None:
    folder = private_cache
    digest = memo.key("a", "b")
    memo.save(folder, "qa", digest, {"x": 1})
    assert memo.load(folder, "qa", digest) == {"x": 1}
    assert memo.load(folder, "qa", memo.key("a", "c")) is None  # another key
    (path,) = folder.glob("qa-*.json")
    data = path.read_bytes()
    path.write_bytes(data[:-3] + b"999")  # corrupt payload, same length
    assert memo.load(folder, "qa", digest) is None
    witness = tmp_path / "code-ran"
    payload = pickle.dumps(_Plant(witness))
    path.write_bytes(data.partition(b"\n")[0] + b"\n"
                     + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    assert memo.load(folder, "qa", digest) is None and not witness.exists()


class _Plant:
    """Unpickling this writes a file: what a planted pickle would do on load."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path(self.target).touch, ())  # type: ignore[return-value]


def test_exports_and_timeline_remembered_byte_for_byte(private_cache: Path, res: Resources,
                                                       tmp_path: Path) -> None:
    from datetime import date

    from natoeu_graph.core.context import load_context
    from natoeu_graph.outputs.export import serialize
    from natoeu_graph.outputs.timeline import draw_timeline

    build(res)
    built = build(res)
    assert built.from_cache
    context = load_context(res.context)
    plain = serialize(built, "jsonld", context=context)
    assert serialize(built, "jsonld", context=context, remember=True) == plain  # computed
    (entry,) = private_cache.glob("export-jsonld-*.json")
    assert serialize(built, "jsonld", context=context, remember=True) == plain  # read back
    entry.write_bytes(entry.read_bytes()[:-5] + b"AAAA=")  # damaged: computed again
    assert serialize(built, "jsonld", context=context, remember=True) == plain
    fresh = build(res, use_cache=False)  # not from the cache: nothing remembered for it
    serialize(fresh, "nt", remember=True)
    assert not list(private_cache.glob("export-nt-*.json"))
    day = date(2026, 11, 25)
    draw_timeline(built, tmp_path / "a.svg", day)
    draw_timeline(built, tmp_path / "b.svg", day, remember=True)
    draw_timeline(built, tmp_path / "c.svg", day, remember=True)
    assert len(list(private_cache.glob("timeline-svg-*.json"))) == 1
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes() \
        == (tmp_path / "c.svg").read_bytes()


def test_a_build_after_validate_gives_the_same_graph(private_cache: Path,
                                                     project_copy: Path) -> None:
    res = locate(project_copy)
    assert validation(res)["conforms"]
    built = build(res)  # validation not repeated: the report for these inputs conforms
    fresh = build(res, use_cache=False)
    assert built.validated and set(built.asserted) == set(fresh.asserted)
    assert set(built.inferred) == set(fresh.inferred)
    with (project_copy / "data" / "places.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\nne:membership-test a natoeu:Membership .\n")
    assert not validation(res)["conforms"]
    with pytest.raises(NotConformingError):  # a failing report is never taken as a pass
        build(res)
