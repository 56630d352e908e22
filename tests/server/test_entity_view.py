"""Entity pages read well: asserted facts first, entailed copies of a fact under a broader
property folded away (kept on demand), related items by date, IRIs named by their labels."""

from __future__ import annotations

from rdflib import RDFS, URIRef

from natoeu_graph.core.namespaces import INSTANCES_BASE
from natoeu_graph.outputs.labels import label
from natoeu_graph.pipeline.build import Built
from natoeu_graph.server.entity import EntityView, _related_date, view

PROV = "http://www.w3.org/ns/prov#"


def _view(built: Built, local: str) -> EntityView:
    v = view(built, URIRef(INSTANCES_BASE + local))
    assert v is not None
    return v


def _props(facts: list) -> list[str]:
    return [f.prop.title for f in facts]


def test_super_property_copies_are_folded_not_listed(built: Built) -> None:
    g = built.merged()
    v = _view(built, "joint-declaration-2016")
    shown, folded = _props(v.facts), {f.prop.title: f for f in v.folded}
    signature = next(f for f in v.facts if f.prop.text == "signature")
    assert PROV + "qualifiedAttribution" not in shown
    attribution = folded[PROV + "qualifiedAttribution"]
    assert [r.text for r in attribution.values] == [r.text for r in signature.values]
    assert [r.title for r in attribution.copy_of] == [signature.prop.title]
    assert "http://purl.org/dc/terms/subject" in folded  # the cooperation areas again
    for f in v.folded:  # each folded property is broader than what it repeats, in the graph
        for q in f.copy_of:
            assert URIRef(f.prop.title) in set(
                g.transitive_objects(URIRef(q.title), RDFS.subPropertyOf))
    for f in v.facts:  # nothing shown is such a copy
        assert not f.copy_of


def test_asserted_facts_come_first(built: Built) -> None:
    for local in ("joint-declaration-2016", "eufor-althea", "NATO", "FIN"):
        kinds = [f.inferred for f in _view(built, local).facts if f.prop.text != "web page"]
        assert kinds == sorted(kinds), local  # False (asserted) before True (entailed)
        assert not kinds[0], local


def test_related_items_by_date(built: Built) -> None:
    g = built.merged()
    v = _view(built, "NATO")
    checked = 0
    for fact in v.related:
        days = [_related_date(g, URIRef(INSTANCES_BASE + r.href[len("/id/"):]))
                for r in fact.values if r.href and r.href.startswith("/id/")]
        dated = [d for d in days if d]
        assert dated == sorted(dated), fact.prop.text
        assert days == dated + [""] * (len(days) - len(dated))  # undated last
        checked += len(dated) > 1
    assert checked >= 2  # e.g. the operations NATO conducts, the memberships


def test_iris_are_named_by_their_labels(built: Built) -> None:
    g = built.merged()
    v = _view(built, "eufor-althea")
    (commander,) = next(f for f in v.facts if f.prop.text == "operation commander").values
    assert commander.href == "/id/post-dsaceur"
    assert commander.text == label(g, URIRef(INSTANCES_BASE + "post-dsaceur"))
    for fact in v.facts + v.related:
        for r in fact.values:
            assert not r.text.startswith("ne:"), r.text
