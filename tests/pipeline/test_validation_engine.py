"""natoeu's validation (pyshacl on a parse-once view, no clone) equals the reference run.

The reference is pyshacl as a typical user calls it (advanced mode, which clones the data
graph, and a fresh SPARQL parse per focus node). The same results are required on the shipped
graph, on every violating snippet of tests/pipeline/test_shapes.py and on generated data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pyshacl import validate as reference_validate
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from test_shapes import CLASS_SHAPES, PREFIXES, RULES, instance_of, required_paths, snippet

from natoeu_graph.core.namespaces import new_graph
from natoeu_graph.core.resources import Resources, locate
from natoeu_graph.pipeline.build import Built, parse_project
from natoeu_graph.pipeline.parse import parse_turtle
from natoeu_graph.pipeline.validate import validate

SH = Namespace("http://www.w3.org/ns/shacl#")
_FIELDS = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity,
           SH.sourceConstraintComponent, SH.resultMessage)

Row = tuple[str, ...]


def _rows(report: Graph) -> list[Row]:
    """Each result as its focus, path, value, severity, component and message (shape nodes are
    blank and differ between runs, so they are left out)."""
    return sorted(tuple(str(report.value(r, f)) for f in _FIELDS)
                  for r in report.subjects(RDF.type, SH.ValidationResult))


def _compare(data: Graph, shapes: Graph, workers: tuple[int, ...] = (1,)) -> list[Row]:
    _, expected, _ = reference_validate(data, shacl_graph=shapes, inference="none",
                                        advanced=True, allow_warnings=True, meta_shacl=False)
    for n in workers:  # 2: the shapes split between two forked processes
        ours = validate(data, shapes, workers=n)
        assert _rows(ours.graph) == _rows(expected), f"{n} worker(s)"
    return _rows(expected)


@pytest.fixture(scope="module")
def shapes(res: Resources) -> Graph:
    return parse_turtle(res.shapes)


def test_shipped_graph(res: Resources, shapes: Graph) -> None:
    ontology, _, data, _ = parse_project(res)
    rows = _compare(ontology + data, shapes, workers=(1, 2))
    assert all(r[3].endswith("Warning") for r in rows)  # the shipped graph conforms


@pytest.mark.parametrize(("shape", "cls"), CLASS_SHAPES,
                         ids=[s.split("#")[1] for s, _ in CLASS_SHAPES])
def test_violating_class_snippets(built: Built, shapes: Graph, shape: str, cls: str) -> None:
    instance = instance_of(built, URIRef(cls))
    bad = Graph()
    bad += snippet(built, instance)
    for path in required_paths(shapes, URIRef(shape)) or [RDFS.label]:
        if isinstance(path, URIRef):
            bad.remove((instance, path, None))
        elif (first := shapes.value(path, RDF.first)) is not None:
            bad.remove((instance, first, None))
    assert _compare(bad, shapes), "the snippet should violate something"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_violating_rule_snippets(built: Built, shapes: Graph, rule: str) -> None:
    template, _, bad_value, _ = RULES[rule]
    g = new_graph()
    g += built.ontology
    g.parse(data=PREFIXES + template % bad_value, format="turtle")
    assert _compare(g, shapes)


def test_generated_data(tmp_path: Path, shapes: Graph) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    generate = pytest.importorskip("generate")
    tree = tmp_path / "tree"
    # 1,500 generated triples beyond the base: every generated class, and pySHACL (the
    # reference) takes minutes per run on a slow machine at twice that
    generate.generate(tree, generate.base_triples() + 1_500, seed=11)
    ontology, _, data, _ = parse_project(locate(tree))
    # with damage the generator never makes: a membership without its organisation. One
    # comparison (the reference's run is most of this test's time) covers both: every other
    # node is compared as generated, on one worker and split between two
    org = URIRef("http://www.w3.org/ns/org#organization")
    victim = sorted(s for s, _ in data.subject_objects(org))[-1]
    data.remove((victim, org, None))
    rows = _compare(ontology + data, shapes, workers=(1, 2))
    assert any(r[0] == str(victim) and r[3].endswith("Violation") for r in rows), victim
