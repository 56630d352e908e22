"""The OWL RL entailments the queries and the interoperability contract rely on."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Namespace

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.pipeline.reason.full import infer
from natoeu_graph.pipeline.reason.trivial import is_trivial

NE = Namespace("https://w3id.org/natoeu/id/")
NATOEU = Namespace("https://w3id.org/natoeu/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
TIME = Namespace("http://www.w3.org/2006/time#")


def test_inferred_kept_apart_from_asserted(built: Built) -> None:
    assert len(built.inferred) > 0
    assert not set(built.inferred) & set(built.asserted)
    assert not set(built.inferred) & set(built.ontology)


def test_trivial_entailments_stripped(built: Built) -> None:
    assert not [t for t in built.inferred if is_trivial(*t)]
    assert (None, OWL.sameAs, None) not in built.inferred
    assert (None, RDF.type, OWL.Thing) not in built.inferred


def test_standard_types(built: Built) -> None:
    g = built.inferred
    assert (NE["membership-fin-nato"], RDF.type, ORG.Membership) in g
    assert (NE.FIN, RDF.type, ORG.FormalOrganization) in g
    assert (NE.FIN, RDF.type, ORG.Organization) in g  # via the restated ORG axiom
    assert (NE.NATO, RDF.type, FOAF.Agent) in g
    assert (NE["jens-stoltenberg"], RDF.type, FOAF.Person) in g
    assert (NE["post-nato-secretary-general"], RDF.type, ORG.Post) in g
    assert (NE["source-factsheet-2018"], RDF.type, PROV.Entity) in g
    assert (NE["joint-declaration-2016"], RDF.type, PROV.Entity) in g


def test_property_chains_inverses_and_symmetry(built: Built) -> None:
    g = built.inferred
    assert (NE["joint-declaration-2016"], NATOEU.signedBy, NE["donald-tusk"]) in g
    assert (NE["joint-declaration-2016"], PROV.wasAttributedTo, NE["donald-tusk"]) in g
    assert (NE["post-nato-secretary-general"], ORG.heldBy, NE["mark-rutte"]) in g
    assert (NE["mark-rutte"], ORG.holds, NE["post-nato-secretary-general"]) in g
    assert (NE["operation-sea-guardian"], NATOEU.supports, NE["operation-sophia"]) in g
    assert (NE["operation-sophia"], NATOEU.supportedBy, NE["operation-sea-guardian"]) in g
    assert (NE["operation-irini"], NATOEU.succeeds, NE["operation-sophia"]) in g
    assert (NE["eulex-kosovo"], NATOEU.cooperatesWith, NE.kfor) in g
    assert (NE.EDA, ORG.subOrganizationOf, NE.EU) in g


def test_sameas_links_stay_out_of_the_closure(built: Built) -> None:
    # owlrl would otherwise copy every NATO triple onto its Wikidata and DBpedia IRIs
    wd_nato = next(o for o in built.asserted.objects(NE.NATO, OWL.sameAs)
                   if "wikidata" in str(o))
    assert (wd_nato, RDF.type, None) not in built.inferred


def test_infer_on_a_small_graph() -> None:
    g = Graph()
    g.add((NATOEU.Membership, RDFS.subClassOf, ORG.Membership))
    g.add((NE.m, RDF.type, NATOEU.Membership))
    out = infer(g)
    assert (NE.m, RDF.type, ORG.Membership) in out
    assert (NE.m, OWL.sameAs, NE.m) not in out
    assert not set(out) & set(g)


def test_interval_nodes_typed(built: Built) -> None:
    g = built.merged()
    interval = g.value(NE["membership-fin-nato"], ORG.memberDuring)
    assert (interval, RDF.type, TIME.TemporalEntity) in g


def test_reasoning_budget_stops_a_sameas_chain() -> None:
    """A 100-node owl:sameAs chain keeps owlrl busy for about 95 s; the budget stops it."""
    import time

    import pytest

    from natoeu_graph.core.errors import ReasoningBudgetError
    from natoeu_graph.pipeline.reason.budget import infer_within_budget

    g = Graph()
    for i in range(100):
        g.add((NE[f"n{i}"], OWL.sameAs, NE[f"n{i + 1}"]))
    start = time.monotonic()
    with pytest.raises(ReasoningBudgetError, match="stopped after 2 s"):
        infer_within_budget(g, timeout=2, engine="owlrl")
    assert time.monotonic() - start < 10
    with pytest.raises(ReasoningBudgetError, match=r"exceed the \w+ reasoner.s budget of 50"):
        infer_within_budget(g, max_triples=50)
    # each engine has its own size cap (reasonable's memory grows faster than its input)
    from natoeu_graph.pipeline.reason import budget as reason

    big = range(reason.MAX_INPUT_TRIPLES + 1)
    with pytest.raises(ReasoningBudgetError, match="owlrl reasoner's budget of 200000"):
        infer_within_budget(big, engine="owlrl")  # type: ignore[arg-type]
    with pytest.raises(ReasoningBudgetError, match="fast reasoner's budget of 300000"):
        infer_within_budget(range(reason.MAX_INPUT_TRIPLES_FAST + 1),  # type: ignore[arg-type]
                            engine="fast")


def test_reasoning_budget_in_the_cli(tmp_path: Path) -> None:
    from conftest import run_cli

    proc = run_cli("--no-cache", "check", env={"NATOEU_REASONING_TIMEOUT": "0.2",
                                                "NATOEU_REASONER": "owlrl",
                                                "NATOEU_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 1
    assert "reasoning stopped after 0.2 s" in proc.stderr


def test_fast_reasoner_gives_owlrl_answers(res: Resources, built: Built) -> None:
    """The fast path is the default only because this holds: same instance-level entailments,
    same rows for every canned query case and every check query as the owlrl reference."""
    from query_cases import CASES, EXTERNAL

    from natoeu_graph.pipeline.build import parse_project
    from natoeu_graph.pipeline.parse_external import parse_external
    from natoeu_graph.pipeline.reason.fast import infer_fast
    from natoeu_graph.pipeline.reason.full import infer
    from natoeu_graph.sparql.queries import get_query, parse_query_file, run, run_canned
    from natoeu_graph.sparql.results import to_csv

    ontology, _, data, _ = parse_project(res)
    reasoning_input = ontology + data
    reasoning_input.remove((None, OWL.sameAs, None))
    reference, fast = infer(reasoning_input), infer_fast(reasoning_input)
    only_ref = {t for t in set(reference) - set(fast) if str(t[0]).startswith(str(NE))}
    only_fast = {t for t in set(fast) - set(reference) if str(t[0]).startswith(str(NE))}
    assert only_ref == set() and only_fast == set()
    # the rules engine (the default) infers exactly what the fast path does, triple for triple
    from natoeu_graph.pipeline.reason.rules import infer_rules

    assert set(infer_rules(reasoning_input, ontology)) == set(fast)

    def merged(inferred: Graph) -> Graph:
        g = Graph()
        for part in (built.ontology, built.asserted, inferred):
            g += part
        return g

    g_ref, g_fast = merged(reference), merged(fast)
    for name, params in CASES:
        q = get_query(res.queries_dir, name)
        extra = parse_external([str(EXTERNAL[name])]) if name in EXTERNAL else Graph()
        a = to_csv(run_canned(g_ref + extra, q, params))
        b = to_csv(run_canned(g_fast + extra, q, params))
        assert a == b, name
    for path in sorted(res.checks_dir.glob("*.rq")):
        text = parse_query_file(path).text
        assert to_csv(run(g_ref, text)) == to_csv(run(g_fast, text)), path.name


def test_rules_equal_fast_path_on_generated_data(tmp_path: Path) -> None:
    import sys

    from natoeu_graph.core.resources import locate
    from natoeu_graph.pipeline.build import parse_project
    from natoeu_graph.pipeline.reason.fast import infer_fast
    from natoeu_graph.pipeline.reason.rules import infer_rules

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import generate

    generate.generate(tmp_path / "tree", 10_000, seed=3)
    ontology, _, data, _ = parse_project(locate(tmp_path / "tree"))
    reasoning_input = ontology + data
    reasoning_input.remove((None, OWL.sameAs, None))
    fast = set(infer_fast(reasoning_input))
    assert len(fast) > 2_000  # a sanity floor: the closure does real work (2,590 here)
    assert set(infer_rules(reasoning_input, ontology)) == fast


def test_rules_fall_back_where_they_are_not_complete(res: Resources) -> None:
    """OWL the rules do not compile, and a clash that prp-fp would turn into owl:sameAs, hand
    the input to the fast path, which implements all of OWL RL."""
    from rdflib import BNode

    from natoeu_graph.pipeline.build import parse_project
    from natoeu_graph.pipeline.reason.fast import infer_fast
    from natoeu_graph.pipeline.reason.rules import infer_rules, unsupported

    ex = Namespace("https://example.org/")
    ontology, _, data, _ = parse_project(res)
    restricted = ontology + Graph()
    r = BNode()
    restricted.add((ex.Thing, OWL.equivalentClass, r))
    restricted.add((r, RDF.type, OWL.Restriction))
    restricted.add((r, OWL.onProperty, ex.p))
    restricted.add((r, OWL.hasValue, ex.v))
    assert unsupported(restricted) is not None
    g = restricted + data
    g.add((ex.x, ex.p, ex.v))
    g.remove((None, OWL.sameAs, None))
    got = set(infer_rules(g, restricted))
    assert (ex.x, RDF.type, ex.Thing) in got and got == set(infer_fast(g))
    # natoeu:holder is functional: two holders of one tenure make them the same person
    natoeu = Namespace("https://w3id.org/natoeu/ontology#")
    clash = ontology + data
    clash.remove((None, OWL.sameAs, None))
    tenure = next(iter(clash.subjects(natoeu.holder, None)))
    clash.add((tenure, natoeu.holder, ex.someoneElse))
    got = set(infer_rules(clash, ontology))
    assert any(p == OWL.sameAs for _, p, _ in got) and got == set(infer_fast(clash))
