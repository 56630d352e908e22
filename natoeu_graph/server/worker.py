"""What a query worker process does: run one job, serialise the answer, send it back.

A job is a dict (``op`` "sparql" with ``query``, or "canned" with ``name`` and ``params``; both
with ``accept`` and an optional ``format``). The reply is a dict with ``status``, ``type``,
``body`` and ``headers``. Every failure becomes a reply with a 4xx/5xx status and a one-line
message that names no server path; a worker never dies of a bad query (only of its deadline).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import rdflib.plugins.sparql as rdflib_sparql
from rdflib import Dataset, Variable

from ..core.errors import UsageError
from ..core.oxterms import to_rdflib
from ..sparql import oxformat
from ..sparql.entities import Labels, resolve
from ..sparql.queries import CannedQuery, bindings, dataset_clause, prepare, without_dataset
from ..stores.backends import OxigraphBackend
from ..stores.oxrun import Answer
from . import adhoc, formats, sandbox
from .config import Limits
from .dataset import Datasets, Selection, select
from .engines import OXIGRAPH_EQUAL
from .protocol import GRAPH_TYPES, RESULT_TYPES, ProtocolError, error_body, media_type, negotiate

Reply = dict[str, Any]
TRUNCATED_HEADER = "X-Natoeu-Truncated"
_PATHS = re.compile("|".join(re.escape(p) for p in sorted(
    {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2]), str(Path.home())},
    key=len, reverse=True) if len(p) > 1))


@dataclass
class Context:
    graph: Dataset  # the full dataset: three named graphs, their merge as the default graph
    canned: dict[str, tuple[CannedQuery, Any]]  # name -> (query, prepared algebra or None)
    limits: Limits
    key: str = ""  # the graph's cache key: part of every ETag
    # renders a page (name, arguments) -> Reply; the worker runs it, never the event loop
    render: Callable[[str, dict[str, Any]], Reply] | None = None
    # the same dataset in Oxigraph, for the canned queries proven to answer alike (engines)
    oxigraph: OxigraphBackend | None = None

    def __post_init__(self) -> None:
        self.datasets = Datasets(self.graph)
        self._labels: Labels | None = None

    def labels(self) -> Labels:
        """The graph's labels, read on first use by each worker, for entity parameters."""
        if self._labels is None:
            self._labels = Labels.read(self.ask)
        return self._labels

    def ask(self, text: str, initial: Mapping[str, Any]) -> Any:
        return self.graph.query(prepare(text, "entity lookup"),
                                initBindings={Variable(k): v for k, v in initial.items()})


def error(status: int, code: str, message: str) -> Reply:
    return {"status": status, "type": "application/json",
            "body": error_body(code, _PATHS.sub("<server>", message)), "headers": {}}


def _usage_error(exc: UsageError) -> Reply:
    msg = exc.message
    if "nested too deeply" in msg:
        return error(400, "query_too_complex", msg)
    if "FROM and FROM NAMED" in msg:
        return error(400, "dataset_not_allowed", msg)
    if "SERVICE" in msg and "not allowed" in msg:
        return error(400, "service_not_allowed", msg)
    if "syntax error" in msg:
        return error(400, "malformed_query", msg)
    return error(400, "bad_parameter", msg + (f" {exc.hint}" if exc.hint else ""))


def _answer(result: Any, accept: str | None, fmt: str | None, limits: Limits) -> Reply:
    """The reply for an rdflib Result."""
    if result.type == "ASK":
        return _reply("ASK", accept, fmt, limits, boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        triples = []
        for t in result.graph:
            triples.append(t)
            if len(triples) > limits.max_rows:
                break
        over = len(triples) > limits.max_rows
        return _reply(result.type, accept, fmt, limits, triples=triples[:limits.max_rows],
                      over=over)
    names, rows, over = formats.take_rows(result, limits.max_rows)
    return _reply("SELECT", accept, fmt, limits, names=names, rows=rows, over=over)


def _ox_answer(answer: Answer, accept: str | None, fmt: str | None, limits: Limits) -> Reply:
    """The reply for Oxigraph's answer: its terms become rdflib's, then as above, so that both
    engines' answers are written by the same code (the same bytes where the terms agree)."""
    if answer.kind == "ASK":
        return _reply("ASK", accept, fmt, limits, boolean=answer.boolean)
    if answer.kind == "GRAPH":
        triples = [(to_rdflib(s), to_rdflib(p), to_rdflib(o)) for s, p, o in answer.triples]
        return _reply("CONSTRUCT", accept, fmt, limits, triples=triples, over=answer.more)
    if (fmt or negotiate(accept, RESULT_TYPES, "json")) == "json":
        try:  # the most asked format, written from Oxigraph's terms (3x faster)
            return _json_reply(answer, limits)
        except oxformat.Unsure:  # a literal rdflib would write otherwise: through rdflib
            pass
    rows = [tuple(None if t is None else to_rdflib(t) for t in row) for row in answer.rows]
    return _reply("SELECT", accept, fmt, limits, names=answer.variables, rows=rows,
                  over=answer.more)


def _json_reply(answer: Answer, limits: Limits) -> Reply:
    """SPARQL JSON results as formats.rows writes them, from Oxigraph's terms made rdflib's
    by sparql.oxformat (which raises Unsure where it cannot)."""
    names = answer.variables
    rows = [{n: oxformat.json_term(term) for n, t in zip(names, row, strict=True)
             if (term := oxformat.term(t)) is not None} for row in answer.rows]

    def write(data: list[dict[str, Any]]) -> bytes:
        return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": data}},
                          ensure_ascii=False).encode()

    n = len(rows)
    body = write(rows)
    while len(body) > limits.max_bytes and n > 0:
        n //= 2
        body = write(rows[:n])
    headers = {TRUNCATED_HEADER: f"rows={n}"} if answer.more or n < len(rows) else {}
    return {"status": 200, "type": media_type("json") + "; charset=utf-8", "body": body,
            "headers": headers}


def _reply(kind: str, accept: str | None, fmt: str | None, limits: Limits, *,
           boolean: bool = False, names: list[str] | None = None,
           rows: list[tuple[Any, ...]] | None = None,
           triples: list[tuple[Any, Any, Any]] | None = None, over: bool = False) -> Reply:
    graph_result = kind in ("CONSTRUCT", "DESCRIBE")
    offers = GRAPH_TYPES if graph_result else RESULT_TYPES
    if fmt is not None:
        if fmt not in offers:
            return error(406, "not_acceptable", f"format {fmt} does not fit a {kind} "
                         f"query; use one of {', '.join(offers)}")
        chosen: str | None = fmt
    else:
        chosen = negotiate(accept, offers, "ttl" if graph_result else "json")
    if chosen is None:
        return error(406, "not_acceptable", "no acceptable media type for a "
                     f"{kind} result; offered: "
                     + ", ".join(v[0] for v in offers.values()))
    headers: dict[str, str] = {}
    if kind == "ASK":
        body = formats.ask(boolean, chosen)
    elif graph_result:
        ordered = sorted(triples or [])
        body, n = formats.graph(ordered, chosen, limits.max_bytes)
        if over or n < len(ordered):
            headers[TRUNCATED_HEADER] = f"triples={n}"
    else:
        data = rows or []
        body, n = formats.rows(names or [], data, chosen, limits.max_bytes)
        if over or n < len(data):
            headers[TRUNCATED_HEADER] = f"rows={n}"
    if chosen in ("xml", "rdfxml"):
        bad = formats.xml_unsafe(body)
        if bad is not None:  # refused rather than sent as a document no XML parser accepts
            return error(406, "not_representable",
                         f"the answer contains {bad}, which XML 1.0 cannot carry; ask for "
                         f"{'JSON or CSV' if chosen == 'xml' else 'Turtle or N-Triples'}")
    ctype = media_type(chosen)
    if ctype.startswith("text/") or chosen in ("json", "jsonld"):
        ctype += "; charset=utf-8"
    return {"status": 200, "type": ctype, "body": body, "headers": headers}


def execute(ctx: Context, job: dict[str, Any]) -> Reply:
    """Run a job; a 200 reply carries a strong ETag of its graph, media type and body."""
    reply = _execute(ctx, job)
    page = job.get("page")
    if page is not None and ctx.render is not None:
        try:
            with sandbox.untrusted():
                reply = ctx.render(page, {**job.get("args", {}), "reply": reply})
        except Exception as exc:
            reply = error(500, "page_failed", f"the page could not be rendered: "
                          f"{type(exc).__name__}")
    if reply["status"] == 200:
        digest = hashlib.blake2b(digest_size=12)
        for part in (ctx.key.encode(), reply["type"].encode(), reply["body"]):
            digest.update(part)
            digest.update(b"\0")
        reply["headers"]["ETag"] = f'"{digest.hexdigest()}"'
    return reply


def _execute(ctx: Context, job: dict[str, Any]) -> Reply:
    if job["op"] == "page":  # a page without a query: rendered from the graph
        return error(500, "page_failed", "no page renderer") if ctx.render is None \
            else {"status": 200, "type": "", "body": b"", "headers": {}}
    try:
        with sandbox.untrusted():
            if job["op"] == "canned":
                query, prepared = ctx.canned[job["name"]]
                if prepared is None:  # parsed once per worker (queries.parsed is memoised)
                    prepared = prepare(query.text, query.path.name)
                # an entity parameter may be a label (entity=Sweden), looked up in the graph
                given = resolve(query, job["params"], ctx.ask, ctx.labels())
                values = bindings(query, given)
                if ctx.oxigraph is not None and job["name"] in OXIGRAPH_EQUAL:
                    result = ctx.oxigraph.query(query.text, values, query.path.name)
                else:
                    result = ctx.graph.query(prepared, initBindings={
                        Variable(k): v for k, v in values.items()})
                return _answer(result, job.get("accept"), job.get("format"), ctx.limits)
            if adhoc.wanted(ctx.oxigraph, job["query"]):
                assert ctx.oxigraph is not None
                answer = adhoc.run(ctx.oxigraph, job["query"], job.get("dataset"),
                                   ctx.limits.max_rows, job.get("base"))
                if answer is not None:
                    return _ox_answer(answer, job.get("accept"), job.get("format"), ctx.limits)
            # relative IRIs resolve against the service IRI, as Oxigraph server does: left
            # relative, `<s>` came out as `<s>` in N-Triples and made RDF/XML fail
            prepared = prepare(job["query"], "query", allow_dataset=True, base=job.get("base"))
            # the protocol's dataset (checked by the app) wins over the query's FROM clauses
            chosen = job.get("dataset")
            clause = dataset_clause(prepared)
            selection = (Selection(*map(tuple, chosen)) if chosen is not None
                         else select(*clause, "FROM and FROM NAMED") if clause else None)
            prepared = without_dataset(prepared)
            if selection is None:
                return _answer(ctx.graph.query(prepared), job.get("accept"),
                               job.get("format"), ctx.limits)
            # a selected dataset has its own default graph, not the union of its named ones;
            # rdflib reads this switch when evaluation starts (one job at a time per worker)
            rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = False
            try:
                result = ctx.datasets.get(selection).query(prepared)
                return _answer(result, job.get("accept"), job.get("format"), ctx.limits)
            finally:
                rdflib_sparql.SPARQL_DEFAULT_GRAPH_UNION = True
    except ProtocolError as exc:
        return error(exc.status, exc.code, exc.message)
    except UsageError as exc:
        return _usage_error(exc)
    except RecursionError:
        return error(400, "query_too_complex", "the query is nested too deeply")
    except PermissionError:
        return error(403, "forbidden_access",
                     "the query tried to read a file or reach the network; refused")
    except MemoryError:
        return error(503, "query_too_large", "the query needed more memory than allowed")
    except Exception as exc:
        # evaluation errors are the query's fault far more often than ours; name the kind only
        return error(400, "query_failed", f"query evaluation failed: {type(exc).__name__}")


def _limit_memory(extra: int = 1 << 30) -> None:
    """Cap the address space at what the worker holds now plus ``extra`` bytes."""
    try:
        with open("/proc/self/statm", "rb") as f:
            vm = int(f.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (vm + extra, vm + extra))
    except (OSError, ValueError):
        pass


def serve_forever(ctx: Context, conn: Connection) -> None:
    """The worker's main loop (entered right after fork; the graph is inherited)."""
    sandbox.install()
    _limit_memory()
    # at the memory cap Oxigraph aborts the worker with one line on stderr, not a backtrace
    os.environ["RUST_BACKTRACE"] = "0"
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        reply = execute(ctx, job)
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
