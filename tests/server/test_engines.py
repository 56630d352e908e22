"""The proof behind the engine choice (stores.proven, used by `natoeu serve` and the warm CLI
path): every canned query sent to Oxigraph gives rdflib's answer byte for byte, in every result
format, for every tested parameter set; and every canned query kept on rdflib really answers
differently there (so the list is exactly the proven set). Both engines are the real ones, run
through the server worker's own code (server.worker.execute). Ad-hoc queries run on Oxigraph
without such a proof: the last tests show where the engines differ on this graph, as
docs/sparql-engines.md says."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from query_cases import EXTERNAL, LOCAL, case_file
from rdflib import Literal, namespace

from natoeu_graph.core.oxterms import to_rdflib
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.server import formats
from natoeu_graph.server.adhoc import run as run_adhoc
from natoeu_graph.server.config import Limits
from natoeu_graph.server.engines import OXIGRAPH_EQUAL, oxigraph
from natoeu_graph.server.worker import Context, execute
from natoeu_graph.server.worker import _json_reply as json_reply
from natoeu_graph.sparql.queries import bindings, get_query, list_queries
from natoeu_graph.sparql.results import to_json
from natoeu_graph.stores.backends import RdflibBackend
from natoeu_graph.stores.proven import oxigraph_datatype

FORMATS = ("json", "xml", "csv", "tsv")


@pytest.fixture(scope="module")
def contexts(res: Resources, built: Built) -> tuple[Context, Context]:
    canned = {q.name: (q, None) for q in list_queries(res.queries_dir)}
    dataset = built.dataset()
    return (Context(dataset, canned, Limits(), key=built.key),
            Context(dataset, canned, Limits(), key=built.key,
                    oxigraph=oxigraph(built, "auto")))


def answer(ctx: Context, name: str, params: dict[str, str], fmt: str) -> bytes:
    reply: dict[str, Any] = execute(ctx, {"op": "canned", "name": name, "params": params,
                                          "format": fmt, "accept": None})
    assert reply["status"] == 200, reply["body"]
    body: bytes = reply["body"]
    return body


def sweep(built: Built, res: Resources) -> list[tuple[str, dict[str, str]]]:
    """Every canned query with date parameters, on every fifth date the graph states and on
    the day before it (where memberships and terms start and end)."""
    dates = sorted({o.toPython() for o in built.asserted.objects()
                    if isinstance(o, Literal) and o.datatype == namespace.XSD.date})[::5]
    days = [d + datetime.timedelta(days=k) for d in dates for k in (-1, 0)]
    cases = []
    for q in list_queries(res.queries_dir):
        names = [p.name for p in q.params if p.kind == "xsd_date"]
        if names:
            cases += [(q.name, dict.fromkeys(names, d.isoformat())) for d in days]
    return cases


def test_the_list_names_canned_queries(res: Resources) -> None:
    names = {q.name for q in list_queries(res.queries_dir)}
    assert names >= OXIGRAPH_EQUAL
    assert {n for n, _ in LOCAL} == names - set(EXTERNAL)  # every query has a tested case


@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_the_server_answers_as_rdflib_alone(contexts: tuple[Context, Context], name: str,
                                            params: dict[str, str]) -> None:
    """With the engine choice (Oxigraph for the listed queries), every canned answer is the
    same bytes as with rdflib alone, in every result format."""
    reference, chosen = contexts
    for fmt in FORMATS:
        assert answer(chosen, name, params, fmt) == answer(reference, name, params, fmt), \
            f"{name} ({fmt}): Oxigraph's answer differs from rdflib's; take it off the list"


def test_queries_kept_on_rdflib_do_differ_on_oxigraph(res: Resources, built: Built) -> None:
    """A query left out that answers alike everywhere tested belongs on the list."""
    store = oxigraph(built, "auto")
    assert store is not None
    rdflib = RdflibBackend(built.merged())
    left_out = {n for n, _ in LOCAL} - OXIGRAPH_EQUAL
    assert left_out == set()  # measure-packages was, until it cast its counts
    cases = LOCAL + sweep(built, res)
    for name in left_out:
        q = get_query(res.queries_dir, name)
        assert any(to_json(rdflib.query(q.text, bindings(q, p)))
                   != to_json(store.query(q.text, bindings(q, p)))
                   for n, p in cases if n == name), f"{name} answers alike on both engines"


def test_engines_agree_over_a_sweep_of_dates(contexts: tuple[Context, Context], built: Built,
                                             res: Resources) -> None:
    """JSON carries every term whole (datatype, language), so equal JSON means equal rows and
    equal bytes in every format."""
    reference, fast = contexts
    cases = [(n, p) for n, p in sweep(built, res) if n in OXIGRAPH_EQUAL]
    assert len(cases) > 100
    differ = [case_file(n, p) for n, p in cases
              if answer(reference, n, p, "json") != answer(fast, n, p, "json")]
    assert not differ


# ---- ad-hoc queries: where the engines differ on this graph (docs/sparql-engines.md) -----------

def adhoc(ctx: Context, query: str) -> dict[str, Any]:
    reply = execute(ctx, {"op": "sparql", "query": query, "format": "json", "accept": None})
    assert reply["status"] == 200, reply["body"]
    doc: dict[str, Any] = json.loads(reply["body"])
    return doc


def test_oxigraph_types_integer_subtypes_as_integer(
        contexts: tuple[Context, Context]) -> None:
    """Documented, not normalised: the graph's xsd:nonNegativeInteger counts come back from
    Oxigraph (ad-hoc queries) typed xsd:integer, with the same values."""
    rdflib, oxigraph = (adhoc(c, "SELECT ?p ?n WHERE { ?p natoeu:declaredMeasureCount ?n } "
                                 "ORDER BY ?p") for c in contexts)
    xsd = str(namespace.XSD)
    assert {b["n"]["datatype"] for b in rdflib["results"]["bindings"]} == \
        {xsd + "nonNegativeInteger"}
    assert {b["n"]["datatype"] for b in oxigraph["results"]["bindings"]} == {xsd + "integer"}
    for b in rdflib["results"]["bindings"]:
        b["n"]["datatype"] = oxigraph_datatype(b["n"]["datatype"])
    assert rdflib == oxigraph


def test_min_and_max_over_unbound_values_differ_unless_bound(
        contexts: tuple[Context, Context]) -> None:
    """Documented: where some intervals have no natoeu:lastVerified, Oxigraph's MIN and MAX
    are unbound and rdflib's skip them; over bound values only, both agree."""
    query = ("SELECT (MIN(?seen) AS ?oldest) (MAX(?seen) AS ?newest) WHERE {{ ?i a time:Interval"
             " OPTIONAL {{ ?i natoeu:lastVerified ?seen }} {} }}")
    rdflib, oxigraph = (adhoc(c, query.format("")) for c in contexts)
    assert set(rdflib["results"]["bindings"][0]) == {"oldest", "newest"}
    assert oxigraph["results"]["bindings"] == [{}]
    bound = [adhoc(c, query.format("FILTER(BOUND(?seen))")) for c in contexts]
    assert bound[0] == bound[1] == rdflib


def test_select_star_lists_variables_by_name_on_oxigraph(
        contexts: tuple[Context, Context]) -> None:
    answer = adhoc(contexts[1], "SELECT * WHERE { ?s org:member ?o ; org:organization ?org }"
                                " LIMIT 1")
    assert answer["head"]["vars"] == ["o", "org", "s"]


@pytest.mark.parametrize("max_bytes", [8 * 1024 * 1024, 2048])
def test_json_written_from_oxigraph_terms_as_from_rdflibs(contexts: tuple[Context, Context],
                                                          max_bytes: int) -> None:
    """The server writes SPARQL JSON straight from Oxigraph's terms (worker._json_reply): the
    same bytes, and the same cut when the answer is over the byte cap, as through rdflib's."""
    store = contexts[1].oxigraph
    assert store is not None
    limits = Limits(max_bytes=max_bytes)
    for text in ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3000",
                 "SELECT ?i ?p ?o WHERE { ?m org:memberDuring ?i . ?i ?p ?o } ORDER BY ?i ?p",
                 "SELECT ?x WHERE { OPTIONAL { ?x a natoeu:NoSuchClass } }"):
        answer = run_adhoc(store, text, None, limits.max_rows)
        assert answer is not None
        fast = json_reply(answer, limits)
        rows = [tuple(None if t is None else to_rdflib(t) for t in r) for r in answer.rows]
        body, n = formats.rows(answer.variables, rows, "json", max_bytes)
        assert fast["body"] == body
        assert fast["headers"].get("X-Natoeu-Truncated") == (
            None if n == len(rows) else f"rows={n}")


def test_the_graphs_parts_share_no_triple(built: Built) -> None:
    """Oxigraph's default graph over the three named graphs keeps a triple stated in two of
    them twice (rdflib's merge keeps it once): the parts must stay disjoint for the engines'
    default graphs to agree."""
    ontology, asserted, inferred = (set(part) for part in
                                    (built.ontology, built.asserted, built.inferred))
    assert not ontology & asserted and not ontology & inferred and not asserted & inferred
