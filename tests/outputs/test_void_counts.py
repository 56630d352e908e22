"""The VoID numbers in the release's void.ttl against the dump files they describe, counted
independently: every file `natoeu release` writes is parsed with rdflib and with pyoxigraph,
and its triples and distinct rdf:type objects are counted here, not by the code under test."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
import pytest
from conftest import run_cli
from rdflib import RDF, Dataset, Graph, Namespace, URIRef

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef("https://w3id.org/natoeu/dataset")
ASSERTED = URIRef("https://w3id.org/natoeu/dataset/asserted")
INFERRED = URIRef("https://w3id.org/natoeu/dataset/inferred")
INFERRED_GRAPH = "https://w3id.org/natoeu/graph/inferred"
INSTANCES = "https://w3id.org/natoeu/id/"

TRIPLE_FILES = {"natoeu.ttl": ("turtle", ox.RdfFormat.TURTLE),
                "natoeu.nt": ("nt", ox.RdfFormat.N_TRIPLES),
                "natoeu.jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}
QUAD_FILES = {"natoeu-inferred.nq": ("nquads", ox.RdfFormat.N_QUADS),
              "natoeu-inferred.trig": ("trig", ox.RdfFormat.TRIG)}


class Counts(NamedTuple):
    triples: int
    classes: int
    properties: int
    entities: int


def _counts(triples: set[tuple[str, str, str]]) -> Counts:
    rdf_type = str(RDF.type)
    return Counts(len(triples), len({o for _, p, o in triples if p == rdf_type}),
                  len({p for _, p, _ in triples}),
                  len({s for s, _, _ in triples if s.startswith(INSTANCES)}))


def _rdflib(path: Path, fmt: str) -> dict[str, set[tuple[str, str, str]]]:
    """Triples by graph name ("" for a triples file), terms as N-Triples text."""
    if fmt in ("nquads", "trig"):
        ds = Dataset()
        ds.parse(path, format=fmt)
        out: dict[str, set[tuple[str, str, str]]] = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            name = str(g.identifier if isinstance(g, Graph) else g)
            out.setdefault(name, set()).add((s.n3(), p.n3(), o.n3()))
        return out
    graph = Graph().parse(path, format=fmt)
    return {"": {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}}


def _oxigraph(path: Path, fmt: ox.RdfFormat) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    for q in ox.parse(path=path, format=fmt):
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(name, set()).add((str(q.subject), str(q.predicate), str(q.object)))
    return out


def _plain(triples: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """IRIs without angle brackets, so that rdflib's and pyoxigraph's term texts compare."""
    return {tuple(t[1:-1] if t.startswith("<") else t for t in triple)  # type: ignore[misc]
            for triple in triples}


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    proc = run_cli("release", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def void(release: Path) -> Graph:
    return Graph().parse(release / "void.ttl", format="turtle")


def _said(void: Graph, node: URIRef) -> Counts:
    return Counts(*(int(str(void.value(node, VOID[p])))
                    for p in ("triples", "classes", "properties", "entities")))


def _dumps(void: Graph, node: URIRef) -> set[str]:
    return {str(u).rsplit("/", 1)[1] for u in void.objects(node, VOID.dataDump)}


@pytest.mark.parametrize("parser", ["rdflib", "pyoxigraph"])
def test_asserted_subset_counts_its_dumps(release: Path, void: Graph, parser: str) -> None:
    assert _dumps(void, ASSERTED) == set(TRIPLE_FILES)
    for name, (rdflib_fmt, ox_fmt) in TRIPLE_FILES.items():
        graphs = (_rdflib(release / name, rdflib_fmt) if parser == "rdflib"
                  else _oxigraph(release / name, ox_fmt))
        assert set(graphs) == {""}
        assert _counts(_plain(graphs[""])) == _said(void, ASSERTED), name


@pytest.mark.parametrize("parser", ["rdflib", "pyoxigraph"])
def test_dataset_and_inferred_subset_count_the_complete_dumps(release: Path, void: Graph,
                                                              parser: str) -> None:
    assert _dumps(void, DATASET) == set(QUAD_FILES)
    assert _dumps(void, INFERRED) == set()  # held in a named graph of the complete dumps
    for name, (rdflib_fmt, ox_fmt) in QUAD_FILES.items():
        graphs = (_rdflib(release / name, rdflib_fmt) if parser == "rdflib"
                  else _oxigraph(release / name, ox_fmt))
        graphs = {g: _plain(t) for g, t in graphs.items()}
        everything = set().union(*graphs.values())
        # the named graphs are disjoint, so the total is both the quads and the triples
        assert sum(len(t) for t in graphs.values()) == len(everything), name
        assert _counts(everything) == _said(void, DATASET), name
        assert _counts(graphs[INFERRED_GRAPH]) == _said(void, INFERRED), name


def test_nquads_lines_are_the_total(release: Path, void: Graph) -> None:
    lines = [li for li in (release / "natoeu-inferred.nq").read_text().splitlines() if li]
    assert len(lines) == _said(void, DATASET).triples
    nt = [li for li in (release / "natoeu.nt").read_text().splitlines() if li]
    assert len(nt) == _said(void, ASSERTED).triples


def test_class_partitions_cover_void_classes(release: Path, void: Graph) -> None:
    partitions = set(void.objects(DATASET, VOID.classPartition))
    classes = {void.value(p, VOID["class"]) for p in partitions}
    assert len(partitions) == len(classes) == _said(void, DATASET).classes
    graphs = _rdflib(release / "natoeu-inferred.nq", "nquads")
    typed = {o for t in graphs.values() for _, p, o in t if p == RDF.type.n3()}
    assert {URIRef(c[1:-1]) for c in typed} == classes
