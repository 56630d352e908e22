"""The proof behind the engine choice (stores.proven, used by `natoeu serve` and the warm CLI
path): every canned query sent to Oxigraph gives rdflib's answer byte for byte, in every result
format, for every tested parameter set; and every canned query kept on rdflib really answers
differently there (so the list is exactly the proven set). Both engines are the real ones, run
through the server worker's own code (server.worker.execute)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from query_cases import EXTERNAL, LOCAL, case_file
from rdflib import Literal, namespace

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.server.config import Limits
from natoeu_graph.server.engines import OXIGRAPH_EQUAL, oxigraph
from natoeu_graph.server.worker import Context, execute
from natoeu_graph.sparql.queries import bindings, get_query, list_queries
from natoeu_graph.sparql.results import to_json
from natoeu_graph.stores.backends import RdflibBackend

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
    assert left_out == {"measure-packages"}
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
