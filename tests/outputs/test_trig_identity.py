"""TriG, N-Quads and N-Triples exports hold the same graph, blank nodes included: an entailment
about an interval (time:hasTime) joins to the asserted interval in every format.

Compared with Oxigraph's RDF canonicalisation (rdflib's isomorphism test is exponential on the
graph's many similar blank nodes)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from natoeu_graph.outputs.export import serialize
from natoeu_graph.pipeline.build import Built

JOIN = """PREFIX time: <http://www.w3.org/2006/time#>
SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH <https://w3id.org/natoeu/graph/inferred> { ?x time:hasTime ?i }
  GRAPH <https://w3id.org/natoeu/graph/asserted> { ?i time:hasBeginning ?b } }"""


def _canonical(data: bytes, fmt: Any, merge: bool = False) -> set[str]:
    ds = ox.Dataset()
    for q in ox.parse(data, format=fmt):
        ds.add(ox.Quad(q.subject, q.predicate, q.object,
                       ox.DefaultGraph() if merge else q.graph_name))
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in ds}


def _join(data: bytes, fmt: Any) -> int:
    store = ox.Store()
    store.load(data, format=fmt)
    return int(next(iter(store.query(JOIN)))["n"].value)  # type: ignore[index,union-attr]


def test_trig_nquads_and_ntriples_hold_the_same_graph(built: Built) -> None:
    trig = serialize(built, "trig", inferred=True)
    nquads = serialize(built, "nquads", inferred=True)
    flat = serialize(built, "nt", inferred=True)
    assert _canonical(trig, ox.RdfFormat.TRIG) == _canonical(nquads, ox.RdfFormat.N_QUADS)
    merged = _canonical(trig, ox.RdfFormat.TRIG, merge=True)
    assert merged == _canonical(flat, ox.RdfFormat.N_TRIPLES, merge=True)
    rows = _join(trig, ox.RdfFormat.TRIG), _join(nquads, ox.RdfFormat.N_QUADS)
    assert rows[0] == rows[1] > 0


def test_trig_is_deterministic(built: Built) -> None:
    assert serialize(built, "trig", inferred=True) == serialize(built, "trig", inferred=True)
