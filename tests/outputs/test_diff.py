"""`natoeu diff`: exactly the planted differences between two versions (a fact added, a fact
removed, an end date changed, a label changed), blank nodes compared by content, exit 0 when
equal and 1 when they differ, text and JSON.

The new version is the project's data read by rdflib and written back as one Turtle file, so
every blank node gets a new identity: only the planted edits may show.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import OWL, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from server_util import NATOEU

from natoeu_graph.core.namespaces import INSTANCES_BASE, TIME, new_graph
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs.diff import diff, load_side, to_json, to_text

FIN = URIRef(INSTANCES_BASE + "FIN")


def natoeu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NATOEU, *args], capture_output=True, text=True, timeout=300,
                          check=False)


def _rewrite(res: Resources, root: Path, edit: Any = None) -> None:
    """A project tree at ``root`` whose data is the project's, parsed and written back (new
    blank nodes), after ``edit`` (a function of the data graph)."""
    shutil.copytree(res.ontology_dir, root / "ontology")
    data = new_graph()
    for path in res.data_files():
        data.parse(path, format="turtle")
    if edit is not None:
        edit(data)
    (root / "data").mkdir()
    data.serialize(root / "data" / "all.ttl", format="turtle")


def _planted(g: Graph) -> dict[str, Any]:
    """Plant the four differences in ``g``; say where they are, derived from the graph."""
    assert (FIN, SKOS.note, None) not in g
    g.add((FIN, SKOS.note, Literal("A planted note.", lang="en")))
    # a removed fact: one of two links of an entity
    linked = sorted(s for s in set(g.subjects(OWL.sameAs, None))
                    if isinstance(s, URIRef) and len(set(g.objects(s, OWL.sameAs))) >= 2)
    gone_from = linked[0]
    gone = sorted(g.objects(gone_from, OWL.sameAs), key=str)[0]
    g.remove((gone_from, OWL.sameAs, gone))
    # a changed end date: the first interval, by its holder, that has an end
    ends = sorted((str(holder), p, instant) for holder, p, interval in g
                  if isinstance(interval, BNode) and isinstance(holder, URIRef)
                  for end in g.objects(interval, TIME.hasEnd)
                  for instant in [end] if (end, TIME.inXSDDate, None) in g)
    holder, via, instant = ends[0]
    old_date = g.value(instant, TIME.inXSDDate)
    assert isinstance(old_date, Literal)
    new_date = Literal("1999-12-31", datatype=old_date.datatype)
    g.set((instant, TIME.inXSDDate, new_date))
    # a changed label
    (old_label,) = [o for o in g.objects(FIN, RDFS.label)
                    if isinstance(o, Literal) and o.language == "en"]
    g.remove((FIN, RDFS.label, old_label))
    g.add((FIN, RDFS.label, Literal("Republic of Finland", lang="en")))
    return {"removed_from": str(gone_from), "removed": gone, "holder": holder, "via": via,
            "old_date": old_date, "new_date": new_date, "old_label": old_label}


@pytest.fixture(scope="module")
def versions(res: Resources, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("diff")
    _rewrite(res, root / "same")
    planted: dict[str, Any] = {}
    _rewrite(res, root / "new", lambda g: planted.update(_planted(g)))
    return {"old": str(res.root), "same": str(root / "same"), "new": str(root / "new"),
            "planted": planted}


def test_equal_versions_exit_0(versions: dict[str, Any]) -> None:
    result = natoeu("diff", versions["old"], versions["same"])
    assert result.returncode == 0, result.stderr
    assert "no difference" in result.stdout


def test_exactly_the_planted_differences(versions: dict[str, Any], res: Resources) -> None:
    result = natoeu("diff", versions["old"], versions["new"], "--format", "json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    p = versions["planted"]
    assert doc["counts"] == {"entities": 3, "added": 1, "removed": 1, "changed": 2}
    by_iri = {e["iri"]: e for e in doc["entities"]}
    fin = by_iri[str(FIN)]
    assert fin["label"] == "Republic of Finland"
    assert fin["added"] == [{"property": "skos:note", "value": '"A planted note."@en'}]
    assert fin["changed"] == [{"property": "rdfs:label", "old": f'"{p["old_label"]}"@en',
                               "new": '"Republic of Finland"@en', "details": []}]
    removed = by_iri[p["removed_from"]]
    assert [f["property"] for f in removed["removed"]] == ["owl:sameAs"]
    assert removed["added"] == removed["changed"] == []
    # the end date: one change of the interval, with the path to the date
    (changed,) = by_iri[p["holder"]]["changed"]
    assert by_iri[p["holder"]]["added"] == by_iri[p["holder"]]["removed"] == []
    assert changed["details"] == [{"path": "time:hasEnd/time:inXSDDate",
                                   "old": f'"{p["old_date"]}"^^xsd:date',
                                   "new": '"1999-12-31"^^xsd:date'}]


def test_text_output_groups_by_entity_with_labels(versions: dict[str, Any],
                                                  res: Resources) -> None:
    d = diff(load_side(versions["old"], res), load_side(versions["new"], res))
    text = to_text(d)
    assert "Republic of Finland (ne:FIN)" in text
    assert "  + skos:note \"A planted note.\"@en" in text
    assert "time:hasEnd/time:inXSDDate: " in text and " -> \"1999-12-31\"^^xsd:date" in text
    assert to_json(d)["equal"] is False


def test_a_release_folder_and_the_tree_it_was_made_from_are_equal(
        built: Any, res: Resources, tmp_path: Path) -> None:
    from natoeu_graph.core.context import load_context
    from natoeu_graph.outputs.release import release_files

    for name, data in release_files(built, load_context(res.context),
                                    res.context.read_bytes()).items():
        (tmp_path / name).write_bytes(data)
    d = diff(load_side(str(tmp_path), res), load_side(str(res.root), res))
    assert d.equal, to_text(d)
    # and a dump file
    assert diff(load_side(str(tmp_path / "natoeu-inferred.nq"), res),
                load_side(str(tmp_path / "natoeu.ttl"), res)).equal


def test_git_revisions(res: Resources) -> None:
    if not (res.root / ".git").exists():
        pytest.skip("not a git checkout")
    result = natoeu("diff", "HEAD", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "HEAD (git)" in result.stdout


def test_a_side_that_is_nothing_says_so() -> None:
    result = natoeu("diff", "no-such-thing-anywhere", "HEAD")
    assert result.returncode == 2
    assert "neither a file, a folder nor a git revision" in result.stderr
