"""Exports: deterministic bytes, round trips, named graphs, and the interoperability contract."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import cache_with_graph, run_cli
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from natoeu_graph.core.context import load_context
from natoeu_graph.core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs.export import combined, serialize
from natoeu_graph.pipeline.build import Built

CONTRACT = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX wd: <http://www.wikidata.org/entity/>
SELECT (COUNT(DISTINCT ?state) AS ?n) WHERE {
  %s
}
"""
MEMBER = """
  ?%(v)s owl:sameAs %(qid)s .
  ?m%(v)s a org:Membership ; org:member ?state ; org:organization ?%(v)s ;
      org:memberDuring ?i%(v)s ; prov:wasDerivedFrom ?src%(v)s .
  ?i%(v)s time:hasBeginning/time:inXSDDate ?b%(v)s .
  FILTER(?b%(v)s <= "2018-07-01"^^<http://www.w3.org/2001/XMLSchema#date>)
  FILTER NOT EXISTS { ?i%(v)s time:hasEnd/time:inXSDDate ?e%(v)s .
      FILTER(?e%(v)s < "2018-07-01"^^<http://www.w3.org/2001/XMLSchema#date>) }
"""


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "trig"])
def test_export_is_deterministic_across_processes(fmt: str, tmp_path: Path) -> None:
    digests = set()
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out-{seed}.{fmt}"
        # a cache of its own, with the graph but no remembered export: each process serialises
        cache = cache_with_graph(tmp_path / f"cache-{seed}")
        proc = run_cli("export", "--format", fmt, "--inferred", "-o", str(out),
                       env={"PYTHONHASHSEED": seed, "NATOEU_CACHE_DIR": str(cache)})
        assert proc.returncode == 0, proc.stderr
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


@pytest.mark.parametrize("frame", ["declaration", "claim", "operation"])
def test_framed_export_is_deterministic_across_processes(frame: str, tmp_path: Path) -> None:
    """pyld embeds the node it meets first: its input must not follow string hashes."""
    outputs = set()
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"{frame}-{seed}.jsonld"
        proc = run_cli("export", "-f", "jsonld", "--frame", frame, "-o", str(out),
                       env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("nt", "nt"),
                                             ("jsonld", "json-ld")])
def test_round_trip_isomorphic(built: Built, res: Resources, fmt: str, parser: str) -> None:
    original = combined(built, inferred=False)
    context = load_context(res.context)
    back = Graph().parse(data=serialize(built, fmt, context=context), format=parser)
    assert len(back) == len(original)
    assert isomorphic(back, original)


def test_jsonld_is_json_with_context(built: Built, res: Resources) -> None:
    doc = json.loads(serialize(built, "jsonld", context=load_context(res.context)))
    assert doc["@context"]["org"] == "http://www.w3.org/ns/org#"


def test_trig_named_graphs(built: Built) -> None:
    ds = Dataset()
    ds.parse(data=serialize(built, "trig", inferred=True), format="trig")
    sizes = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    assert sizes == {str(GRAPH_ONTOLOGY): len(built.ontology),
                     str(GRAPH_ASSERTED): len(built.asserted),
                     str(GRAPH_INFERRED): len(built.inferred)}


def test_contract_query_on_exported_ntriples(tmp_path: Path) -> None:
    """Only org:, time:, prov: and owl:sameAs to Wikidata: 22 shared, 29 NATO, 28 EU in 2018."""
    out = tmp_path / "natoeu.nt"
    proc = run_cli("export", "--format", "nt", "--inferred", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    g = Graph().parse(out, format="nt")

    def count(*orgs: tuple[str, str]) -> int:
        body = "".join(MEMBER % {"v": v, "qid": q} for v, q in orgs)
        (row,) = g.query(CONTRACT % body)
        return int(row[0])

    assert count(("nato", "wd:Q7184")) == 29
    assert count(("eu", "wd:Q458")) == 28
    assert count(("nato", "wd:Q7184"), ("eu", "wd:Q458")) == 22


@pytest.mark.parametrize("fmt", ["ttl", "nt", "trig", "nquads", "jsonld"])
def test_literals_are_exported_as_written(fmt: str) -> None:
    """The ontology's "2026-11-25T00:00:00Z"^^xsd:dateTime came out as "...+00:00" (rdflib's
    canonical form of its value): another literal than the one written."""
    ontology = Path(__file__).parents[2] / "ontology" / "natoeu.ttl"
    written = next(line for line in ontology.read_text(encoding="utf-8").splitlines()
                   if "dcterms:created" in line)
    lexical = written.split('"')[1]
    assert lexical.endswith("Z")
    proc = run_cli("export", "-f", fmt)
    assert proc.returncode == 0, proc.stderr
    assert f'"{lexical}"' in proc.stdout and lexical.replace("Z", "+00:00") not in proc.stdout


def test_addresses_carry_no_default_port(graph: Graph) -> None:
    """https://eda.europa.eu:443/... is https://eda.europa.eu/...: written twice, one address
    would count as two pages."""
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    assert not [i for i in iris if re.match(r"(https://[^/]*:443|http://[^/]*:80)(/|$)", i)]


def test_a_frame_with_the_entailments_is_refused() -> None:
    """`--frame NAME --inferred` ignored --inferred without a word."""
    proc = run_cli("export", "-f", "jsonld", "--frame", "declaration", "--inferred")
    assert proc.returncode == 2 and "--frame frames the asserted data" in proc.stderr
    assert "hint: Drop --inferred" in proc.stderr and proc.stdout == ""
