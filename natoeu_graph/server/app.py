"""Routes: the SPARQL endpoint, canned queries, dereferenceable IRIs and pages for people.

IRIs answer **200 with ``Vary: Accept``** (not 303): /id/X returns the HTML page or the RDF
description of https://w3id.org/natoeu/id/X directly, chosen by the Accept header (or
``?format=ttl|jsonld|nt|rdfxml|html``), with ``Content-Location`` naming the variant served and
``Link: rel="alternate"`` headers naming the others. One round trip instead of two, and caches
key on Accept. The IRIs identify things, not documents; under httpRange-14 a 200 response is
then a description of the thing, which is what every variant here is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from rdflib import Graph
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..core.context import load_context
from ..core.errors import UsageError
from ..core.resources import Resources
from ..pipeline.build import Built
from ..sparql.queries import check_values, list_queries, prepare
from . import descriptors, engines, pages, querypage
from .cache import AnswerCache
from .clients import Shares, client_key
from .config import Limits
from .connections import SlicedResponse, guarded_protocol
from .dataset import select
from .fairness import CLIENT, FairMiddleware
from .pool import IDLE, Saturated, WorkerPool
from .protocol import (
    GRAPH_TYPES,
    HTML,
    RDFLIB_FORMAT,
    RESULT_TYPES,
    ProtocolError,
    base_type,
    charset_of,
    error_body,
    negotiate,
)
from .render import DOC_TYPES, Renderer, error_page, safe_local
from .render import html as html_reply
from .worker import TRUNCATED_HEADER, Context, Reply, error

_ALLOW = "GET, HEAD, POST, OPTIONS"
_CORS = {"Access-Control-Allow-Origin": "*"}
# what browser SPARQL clients (YASGUI, Comunica, sparql-http-client) send in a preflight
_ALLOW_HEADERS = ("Accept, Accept-Language, Content-Language, Content-Type, Authorization, "
                  "Cache-Control, If-None-Match, If-Modified-Since, X-Requested-With")
# Pages run only scripts and styles served from here (no inline script); style attributes set
# by a self-hosted editor stay allowed. Nothing may frame the pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
_PAGE_HEADERS = {"Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer"}
_HERE = Path(__file__).parent


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _wants_html(request: Request) -> bool:
    offers = {"html": HTML, **RESULT_TYPES}
    return negotiate(request.headers.get("accept"), offers, "json") == "html"


async def _body(request: Request, limits: Limits) -> bytes:
    """The request body: 413 as soon as it passes the cap (whatever it claims), 408 when it
    does not arrive within the body deadline (a client trickling bytes holds nothing long)."""
    try:
        return await asyncio.wait_for(_read_body(request, limits.max_body), limits.body_timeout)
    except asyncio.TimeoutError:
        raise ProtocolError(408, "request_timeout", "the request body did not arrive within "
                            f"{limits.body_timeout:g} s") from None


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ProtocolError(400, "bad_request", "Content-Length is not a number")
        if int(declared) > cap:
            raise ProtocolError(413, "request_too_large", f"the request body is over {cap} bytes")
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise ProtocolError(413, "request_too_large", f"the request body is over {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


# an IRI reference without a scheme (SPARQL's IRIREF characters): a relative IRI
_RELATIVE = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]*:)"
                       r"(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")


def _service_iri(request: Request, query: str) -> str | None:
    """The endpoint's IRI as the client named it, the base of the query's relative IRIs; None
    when the text has none, so that the answer (and its cache entry) does not depend on the
    Host header."""
    if not _RELATIVE.search(query):
        return None
    return str(request.url.replace(path="/sparql", query="", fragment=""))


def _form(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError(400, "bad_encoding", "parameters must be UTF-8") from None


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "bad_encoding", "the request body is not UTF-8") from None


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise ProtocolError(400, "multiple_parameters", f"more than one '{name}' parameter")
    return values[0] if values else None


class Server:
    """The application state: the graph, the two worker pools, the answer cache."""

    def __init__(self, built: Built, res: Resources, limits: Limits,
                 engine: str = "auto") -> None:
        if not built.validated:
            raise ValueError("the server serves only a validated graph")
        self.built = built
        self.limits = limits
        self.canned = {q.name: q for q in list_queries(res.queries_dir)}
        # Parsed in the worker on first use (and kept there): rdflib's parser took seconds for
        # all of them before the server could answer at all.
        prepared = {name: (q, None) for name, q in self.canned.items()}
        dataset = built.dataset()
        _warm(dataset)
        self.renderer = Renderer(built, self.canned, load_context(res.context), limits)
        self.renderer.warm()
        store = engines.oxigraph(built, engine)
        self.oxigraph = store is not None
        ctx = Context(dataset, prepared, limits, key=built.key, render=self.renderer,
                      oxigraph=store)
        ctx.labels()  # read once here, shared by every worker forked after
        # ad-hoc queries and cheap work (canned queries, pages) never share a worker
        # ad-hoc queries run on CPU time that the event loop and cheap work leave over
        self.adhoc = WorkerPool(ctx, limits, limits.workers, limits.queue, nice=IDLE)
        self.cheap = WorkerPool(ctx, limits, limits.cheap_workers, limits.cheap_queue, nice=5)
        self.cache = AnswerCache(limits.cache_bytes, limits.max_bytes)
        # places per client in each pool, running or waiting (server.clients says who a
        # client is); one more gets 429
        self.shares = {True: Shares(limits.per_client), False: Shares(limits.cheap_per_client)}
        self._running: dict[bytes, asyncio.Future[Reply]] = {}

    def client(self, request: Request) -> str:
        """The client a request comes from (set by the fair-turns middleware)."""
        key = request.scope.get(CLIENT)
        if key is None:
            key = client_key(request.client.host if request.client else "",
                             self.limits.local_prefix)
        return str(key)

    async def run(self, request: Request, job: dict[str, Any], adhoc: bool) -> Reply:
        """The answer to ``job``: from the cache, else from a worker of its pool. A burst of
        identical cheap requests (an entity page, a canned query) waits for one computation;
        identical ad-hoc queries each count against their client's share."""
        key = AnswerCache.key(job)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        running = None if adhoc else self._running.get(key)
        if running is not None:
            return await asyncio.shield(running)
        if adhoc:
            reply = await self._compute(request, job, adhoc)
            if reply["status"] == 200:
                self.cache.put(key, reply)
            return reply
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            reply = await self._compute(request, job, adhoc)
        except BaseException as exc:
            if isinstance(exc, ProtocolError):
                future.set_exception(exc)
                future.exception()  # retrieved: waiters re-raise it, nobody logs it
            else:
                future.cancel()
            raise
        finally:
            del self._running[key]
        # the graph does not change: neither do these (a 400 here is a parameter that names
        # no entity, found by a look-up that costs a worker a third of a second)
        if reply["status"] in (200, 404) or (reply["status"] == 400 and job["op"] == "canned"):
            self.cache.put(key, reply)
        future.set_result(reply)
        return reply

    async def _compute(self, request: Request, job: dict[str, Any], adhoc: bool) -> Reply:
        client = self.client(request)
        shares = self.shares[adhoc]
        if not shares.take(client):
            what = "ad-hoc queries" if adhoc else "canned queries or pages being computed"
            raise ProtocolError(429, "too_many_requests",
                                f"at most {shares.limit} {what} per client at a time; retry "
                                "when one has finished", {"Retry-After": "2"})
        try:
            if not adhoc:
                return await self._pool_run(self.cheap, job, self.limits.canned_timeout,
                                            client)
            reply = await self._pool_run(self.adhoc, job, self.limits.timeout, client)
            if reply["status"] == 500 and self.oxigraph and b"worker_failed" in reply["body"]:
                # Oxigraph cannot raise MemoryError: at the memory cap it aborts the worker
                reply = error(503, "query_too_large",
                              "the query needed more memory than allowed and was stopped")
            return reply
        finally:
            shares.give(client)

    @staticmethod
    async def _pool_run(pool: WorkerPool, job: dict[str, Any], timeout: float,
                        client: str) -> Reply:
        try:
            return await pool.run(job, timeout, client)
        except Saturated:
            raise ProtocolError(429, "too_many_requests", "the server is busy; retry shortly",
                                {"Retry-After": "1"}) from None

    def send(self, request: Request, reply: Reply, download: str | None = None) -> Response:
        """The Response for a reply: validators, caching headers, 304 when the client has it."""
        headers = {"Vary": "Accept", **_CORS, **reply["headers"]}
        if TRUNCATED_HEADER in reply["headers"]:
            headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
        if reply["status"] in (429, 503):
            headers.setdefault("Retry-After", "5")
        if download and reply["status"] == 200:
            ext = {"jsonld": "jsonld", "rdfxml": "rdf"}.get(download, download)
            headers["Content-Disposition"] = f'inline; filename="results.{ext}"'
        etag = reply["headers"].get("ETag")
        if etag and reply["status"] == 200:
            headers["Cache-Control"] = f"public, max-age={self.limits.max_age}"
            if request.method in ("GET", "HEAD") and _matches(
                    request.headers.get("if-none-match"), etag):
                keep = ("ETag", "Vary", "Cache-Control", "Content-Location",
                        "Access-Control-Allow-Origin")
                return Response(status_code=304, headers={k: v for k, v in headers.items()
                                                          if k in keep})
        if reply["type"].startswith("text/html"):
            headers.update(_PAGE_HEADERS)
        return SlicedResponse(reply["body"], reply["status"], media_type=reply["type"],
                              headers=headers)

    # ---- SPARQL endpoint -------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={
                "Allow": _ALLOW, **_CORS, "Access-Control-Allow-Methods": _ALLOW,
                "Access-Control-Allow-Headers": _ALLOW_HEADERS,
                "Access-Control-Max-Age": "86400"})
        if request.method not in ("GET", "HEAD", "POST"):
            raise ProtocolError(405, "method_not_allowed",
                                f"{request.method} is not supported; this endpoint is read-only",
                                {"Allow": _ALLOW})
        params = _form(request.url.query)
        query: str | None
        if request.method == "POST":
            ctype = base_type(request.headers.get("content-type"))
            if ctype == "application/sparql-update":
                raise ProtocolError(403, "update_not_allowed", "this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                params += _form(_utf8(await _body(request, self.limits)))
                query = _one(params, "query")
            elif ctype == "application/sparql-query":
                charset = charset_of(request.headers.get("content-type", ""))
                if charset not in (None, "utf-8", "utf8"):
                    raise ProtocolError(415, "unsupported_charset", "send the query as UTF-8")
                if _one(params, "query") is not None:
                    raise ProtocolError(400, "multiple_parameters",
                                        "a query in both the body and the URL")
                query = _utf8(await _body(request, self.limits))
            else:
                raise ProtocolError(415, "unsupported_media_type",
                                    "POST a query as application/sparql-query or as "
                                    "application/x-www-form-urlencoded")
        else:
            query = _one(params, "query")
        if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
            raise ProtocolError(403, "update_not_allowed", "this endpoint is read-only")
        dataset = None
        if any(k in ("default-graph-uri", "named-graph-uri") for k, _ in params):
            sel = select([v for k, v in params if k == "default-graph-uri"],
                         [v for k, v in params if k == "named-graph-uri"],
                         "default-graph-uri and named-graph-uri")
            dataset = [list(sel.default), list(sel.named)]
        if query is None:
            if request.method == "POST":
                raise ProtocolError(400, "missing_query", "no 'query' parameter")
            if _wants_html(request):  # a browser opening the endpoint: the query page
                return RedirectResponse("/query", 303, headers={"Vary": "Accept"})
            return await self._service_description(request)
        if len(query.encode()) > self.limits.max_body:
            raise ProtocolError(413, "request_too_large", "the query is too long")
        fmt = _one(params, "format")
        if fmt is not None and fmt not in RESULT_TYPES and fmt not in GRAPH_TYPES:
            raise ProtocolError(400, "bad_format", "format must be one of "
                                + ", ".join([*RESULT_TYPES, *GRAPH_TYPES]))
        reply = await self.run(request, {"op": "sparql", "query": query, "format": fmt,
                                         "dataset": dataset, "base": _service_iri(request, query),
                                         "accept": request.headers.get("accept")}, adhoc=True)
        return self.send(request, reply, download=fmt)

    async def _service_description(self, request: Request) -> Response:
        # rendered by a cheap worker and cached: the endpoint's IRI comes from the request
        # (its Host header), so a client varying it must not make the event loop serialise
        fmt = negotiate(request.headers.get("accept"), GRAPH_TYPES, "ttl") or "ttl"
        return await self._page(request, "service", {
            "endpoint": str(request.url.replace(query="")), "fmt": fmt})

    # ---- canned queries --------------------------------------------------------------------

    def _canned_args(self, request: Request, check: bool = True) \
            -> tuple[str, dict[str, str], str | None]:
        name = request.path_params["name"]
        if name not in self.canned:
            raise ProtocolError(404, "unknown_query", "no canned query by that name; "
                                "the list is at /queries")
        given: dict[str, str] = {}
        fmt = None
        for key, value in _form(request.url.query):
            if key == "format":
                fmt = value
            elif key in given:
                raise ProtocolError(400, "multiple_parameters", f"more than one '{key}'")
            else:
                given[key] = value
        if not check:
            return name, given, fmt
        try:
            check_values(self.canned[name], given)  # entities are looked up by a worker
        except UsageError as exc:
            raise ProtocolError(400, "bad_parameter", exc.message
                                + (f" {exc.hint}" if exc.hint else "")) from None
        return name, given, fmt

    async def canned_query(self, request: Request) -> Response:
        html = request.query_params.get("format") in (None, "html") and _wants_html(request)
        if html:
            return await self._canned_page(request)
        name, given, fmt = self._canned_args(request, check=False)
        job = {"op": "canned", "name": name, "params": given, "format": fmt,
               "accept": request.headers.get("accept")}
        # only answers to valid parameters are cached: a hit needs no second validation
        hit = self.cache.get(AnswerCache.key(job))
        if hit is None:
            self._canned_args(request)
            if fmt is not None and fmt not in RESULT_TYPES:
                raise ProtocolError(400, "bad_format", "format must be one of "
                                    + ", ".join(RESULT_TYPES))
        reply = hit or await self.run(request, job, adhoc=False)
        return self.send(request, reply, download=fmt)

    async def _canned_page(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.canned:
            return self.send(request, error_page(404, "Unknown query",
                                                 "There is no canned query by that name."))
        q = self.canned[name]
        values = dict(_form(request.url.query))
        try:
            name, given, _ = self._canned_args(request)
        except ProtocolError as exc:
            table = pages.Table(error=f"Error {exc.status}: {exc.message}")
            return self.send(request, html_reply(pages.render(
                "canned.html.j2", title=q.name, q=q, values=values, table=table), exc.status))
        reply = await self.run(request, {
            "op": "canned", "name": name, "params": given, "format": "json", "accept": None,
            "page": "canned", "args": {"name": name, "given": given, "values": values}},
            adhoc=False)
        return self.send(request, reply)

    async def queries_page(self, request: Request) -> Response:
        if not _wants_html(request):
            doc = [{"name": q.name, "summary": q.summary, "description": q.description,
                    "parameters": [{"name": p.name, "type": p.kind, "default": p.default}
                                   for p in q.params]} for q in self.canned.values()]
            return Response(json.dumps(doc, indent=2), media_type="application/json",
                            headers={"Vary": "Accept", **_CORS})
        return await self._page(request, "queries", {})

    # ---- query editor ----------------------------------------------------------------------

    async def editor(self, request: Request) -> Response:
        query = request.query_params.get("query", "")
        if not query.strip():
            return await self._page(request, "editor", {})
        if len(query.encode()) > self.limits.max_body:
            raise ProtocolError(413, "request_too_large", "the query is too long")
        reply = await self.run(request, {
            "op": "sparql", "query": query, "format": None, "base": _service_iri(request, query),
            "accept": "application/sparql-results+json, text/turtle",
            "page": "editor", "args": {"query": query}}, adhoc=True)
        return self.send(request, reply)

    # ---- linked data and other pages (rendered by the cheap workers, then cached) -----------

    async def _page(self, request: Request, name: str, args: dict[str, Any]) -> Response:
        reply = await self.run(request, {"op": "page", "page": name, "args": args},
                               adhoc=False)
        return self.send(request, reply)

    def _doc_format(self, request: Request) -> str:
        fmt = request.query_params.get("format") or negotiate(
            request.headers.get("accept"), DOC_TYPES, "ttl")
        if fmt not in DOC_TYPES:
            raise ProtocolError(406, "not_acceptable", "offered: " + ", ".join(
                v[0] for v in DOC_TYPES.values()))
        return fmt

    async def resource(self, request: Request) -> Response:
        local = request.path_params["local"]
        if not safe_local(local):
            if _wants_html(request):
                return self.send(request, error_page(
                    404, "Not found", "The graph says nothing about this IRI."))
            raise ProtocolError(404, "unknown_resource", "the graph says nothing about this IRI")
        return await self._page(request, "resource", {
            "local": local, "fmt": self._doc_format(request),
            "html_errors": _wants_html(request)})

    async def ontology(self, request: Request) -> Response:
        return await self._page(request, "ontology", {"fmt": self._doc_format(request)})

    async def classes(self, request: Request) -> Response:
        return await self._page(request, "classes", {})

    async def class_index(self, request: Request) -> Response:
        return await self._page(request, "class", {"name": request.path_params["name"]})

    async def home(self, request: Request) -> Response:
        return await self._page(request, "home", {})


def _warm(graph: Graph) -> None:
    """Import what queries and serialisers load lazily, before forking the workers.

    A worker's sandbox refuses file access while a job runs; importing a plugin then would be
    refused too.
    """
    for text in ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ASK { ?s ?p ?o }",
                 "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
                 "DESCRIBE <urn:x>", "ASK { GRAPH ?g { ?s ?p ?o } }"):
        result = graph.query(prepare(text))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            for fmt in RDFLIB_FORMAT.values():
                assert result.graph is not None
                result.graph.serialize(format=fmt)
        else:
            for fmt in ("json", "xml", "csv") if result.type == "SELECT" else ("json", "xml"):
                result.serialize(format=fmt)


def error_response(request: Request, exc: ProtocolError) -> Response:
    """An error in the format the client asked for: an HTML page for browsers, else JSON.

    Every 429 and 503 carries Retry-After.
    """
    headers = {**exc.headers, **_CORS}
    if exc.status in (429, 503):
        headers.setdefault("Retry-After", "5")
    if exc.status in (408, 413):
        headers["Connection"] = "close"  # the rest of the body is never read
    if _wants_html(request):
        body = pages.render("error.html.j2", title=f"Error {exc.status}", message=exc.message)
        return HTMLResponse(body, exc.status, headers={**headers, **_PAGE_HEADERS})
    return Response(error_body(exc.code, exc.message), exc.status,
                    media_type="application/json", headers=headers)


def busy_app(limits: Limits, over_share: bool = False) -> Any:
    """What answers on connections past the cap (503) or past their client's share of
    connections (429): Retry-After, then close."""
    if over_share:
        status, message = 429, (f"at most {limits.client_connections} open connections per "
                                "client; close some, or retry shortly")
    else:
        status, message = 503, "the server has too many open connections; retry shortly"

    async def app(scope: Any, receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        exc = ProtocolError(status, "too_many_connections", message,
                            {"Retry-After": "2", "Connection": "close"})
        await error_response(request, exc)(scope, receive, send)

    return app


async def _protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, ProtocolError(
        exc.status_code, "not_found" if exc.status_code == 404 else "http_error",
        str(exc.detail)))


async def _internal_error(request: Request, exc: Exception) -> Response:
    # never a traceback or a path in a response; the server log has the details
    return Response(error_body("internal_error", "internal server error"), 500,
                    media_type="application/json")


class _SecurityHeaders:
    """nosniff on every response, so no answer is ever read as a page it was not meant to be."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, sending)


def create_app(built: Built, res: Resources, limits: Limits | None = None,
               engine: str = "auto") -> Any:
    """The ASGI application; its lifespan forks the query workers and stops them. ``engine``
    "auto" runs the canned queries proven equal on Oxigraph (engines), "rdflib" everything on
    rdflib."""
    limits = limits or Limits()
    server = Server(built, res, limits, engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        descriptors.quiet_accept_errors(asyncio.get_running_loop())
        server.adhoc.start()
        server.cheap.start()
        try:
            yield
        finally:
            server.adhoc.close()
            server.cheap.close()

    # The pages use the docs stylesheet itself (one file, in natoeu_graph/outputs/templates/) at
    # /static/style.css, then static/server.css with the server's additions only.
    templates = StaticFiles(directory=_HERE.parent / "outputs" / "templates")

    async def docs_stylesheet(request: Request) -> Response:
        return await templates.get_response("style.css", request.scope)

    routes = [
        Route("/", server.home, methods=["GET", "HEAD"]),
        Route("/sparql", server.sparql,
              methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        Route("/queries", server.queries_page, methods=["GET", "HEAD"]),
        Route("/queries/{name}", server.canned_query, methods=["GET", "HEAD"]),
        Route("/query", server.editor, methods=["GET", "HEAD"]),
        Route("/id/{local:path}", server.resource, methods=["GET", "HEAD"]),
        Route("/ontology", server.ontology, methods=["GET", "HEAD"]),
        Route("/classes", server.classes, methods=["GET", "HEAD"]),
        Route("/classes/{name}", server.class_index, methods=["GET", "HEAD"]),
        Route("/favicon.ico", lambda r: Response(status_code=204)),
        Route("/static/style.css", docs_stylesheet),
        Mount("/static", StaticFiles(directory=_HERE / "static"), name="static"),
    ]
    # ---- the query page's data: YASGUI's examples and prefixes (querypage) -----------------
    routes += querypage.routes(server.canned)
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ProtocolError: _protocol_error, HTTPException: _http_error, 500: _internal_error})
    # fair turns first: a heavy client's requests wait behind a light client's, not before
    return FairMiddleware(_SecurityHeaders(app),
                          key=lambda host: client_key(host, limits.local_prefix))


def serve(built: Built, res: Resources, host: str, port: int, limits: Limits,
          engine: str = "auto") -> None:
    """Run the server until interrupted (uvicorn, one process; queries run in its workers).

    No ``limit_concurrency``: it counted idle connections and answered plain-text 503s. The
    guarded protocol times out request heads and caps connections instead; the pools and the
    per-client limit bound the work.
    """
    import uvicorn

    # every connection is a file descriptor: the soft limit (often 1,024) up to the hard one,
    # and the connection cap within what is left for the server's own files
    files = descriptors.raise_open_files()
    limits = descriptors.fit_connections(limits, files)
    app = create_app(built, res, limits, engine)
    protocol = guarded_protocol(
        limits.header_timeout, limits.max_connections, busy_app(limits),
        write_timeout=limits.write_timeout, client_connections=limits.client_connections,
        over_share_app=busy_app(limits, over_share=True),
        client_of=lambda peer: client_key(peer, limits.local_prefix),
        trusted=limits.trusted_proxies, max_open=descriptors.budget(limits, files))
    # X-Forwarded-For names the client only when it comes from a proxy the operator trusts;
    # uvicorn's default trusts it from 127.0.0.1, where any local process may set it
    config = uvicorn.Config(app, host=host, port=port, server_header=False, http=protocol,
                            timeout_keep_alive=5, log_level="warning", access_log=False,
                            proxy_headers=bool(limits.trusted_proxies),
                            forwarded_allow_ips=list(limits.trusted_proxies) or None,
                            lifespan="on", loop="asyncio")  # not uvloop: workers fork from it
    uvicorn.Server(config).run()
