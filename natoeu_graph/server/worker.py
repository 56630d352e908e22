"""What a query worker process does: run one job, serialise the answer, send it back.

A job is a dict (``op`` "sparql" with ``query``, or "canned" with ``name`` and ``params``; both
with ``accept`` and an optional ``format``). The reply is a dict with ``status``, ``type``,
``body`` and ``headers``. Every failure becomes a reply with a 4xx/5xx status and a one-line
message that names no server path; a worker never dies of a bad query (only of its deadline).
"""

from __future__ import annotations

import re
import resource
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rdflib import Graph, Variable

from ..core.errors import UsageError
from ..sparql.queries import CannedQuery, bindings, prepare
from . import formats, sandbox
from .config import Limits
from .protocol import GRAPH_TYPES, RESULT_TYPES, error_body, media_type, negotiate

Reply = dict[str, Any]
TRUNCATED_HEADER = "X-Natoeu-Truncated"
_PATHS = re.compile("|".join(re.escape(p) for p in sorted(
    {sys.prefix, sys.base_prefix, str(Path(__file__).resolve().parents[2]), str(Path.home())},
    key=len, reverse=True) if len(p) > 1))


@dataclass
class Context:
    graph: Graph
    canned: dict[str, tuple[CannedQuery, Any]]  # name -> (query, prepared algebra or None)
    limits: Limits


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
    return error(400, "bad_parameter", msg)


def _answer(result: Any, accept: str | None, fmt: str | None, limits: Limits) -> Reply:
    graph_result = result.type in ("CONSTRUCT", "DESCRIBE")
    offers = GRAPH_TYPES if graph_result else RESULT_TYPES
    if fmt is not None:
        if fmt not in offers:
            return error(406, "not_acceptable", f"format {fmt} does not fit a {result.type} "
                         f"query; use one of {', '.join(offers)}")
        chosen: str | None = fmt
    else:
        chosen = negotiate(accept, offers, "ttl" if graph_result else "json")
    if chosen is None:
        return error(406, "not_acceptable", "no acceptable media type for a "
                     f"{result.type} result; offered: "
                     + ", ".join(v[0] for v in offers.values()))
    headers: dict[str, str] = {}
    if result.type == "ASK":
        body = formats.ask(bool(result.askAnswer), chosen)
    elif graph_result:
        triples = []
        for t in result.graph:
            triples.append(t)
            if len(triples) > limits.max_rows:
                break
        over = len(triples) > limits.max_rows
        triples = sorted(triples[:limits.max_rows])
        body, n = formats.graph(triples, chosen, limits.max_bytes)
        if over or n < len(triples):
            headers[TRUNCATED_HEADER] = f"triples={n}"
    else:
        names, rows, over = formats.take_rows(result, limits.max_rows)
        body, n = formats.rows(names, rows, chosen, limits.max_bytes)
        if over or n < len(rows):
            headers[TRUNCATED_HEADER] = f"rows={n}"
    ctype = media_type(chosen)
    if ctype.startswith("text/") or chosen in ("json", "jsonld"):
        ctype += "; charset=utf-8"
    return {"status": 200, "type": ctype, "body": body, "headers": headers}


def execute(ctx: Context, job: dict[str, Any]) -> Reply:
    try:
        with sandbox.untrusted():
            if job["op"] == "canned":
                query, prepared = ctx.canned[job["name"]]
                if prepared is None:  # parsed once per worker (queries.parsed is memoised)
                    prepared = prepare(query.text, query.path.name)
                init: dict[str, Any] = {Variable(k): v
                                       for k, v in bindings(query, job["params"]).items()}
            else:
                prepared = prepare(job["query"], "query")
                init = {}
            result = ctx.graph.query(prepared, initBindings=init)
            return _answer(result, job.get("accept"), job.get("format"), ctx.limits)
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
