"""Routes: the SPARQL endpoint, canned queries, dereferenceable IRIs and pages for people.

IRIs answer **200 with ``Vary: Accept``** (not 303): /id/X returns the HTML page or the RDF
description of https://w3id.org/natoeu/id/X directly, chosen by the Accept header (or
``?format=ttl|jsonld|nt|rdfxml|html``), with ``Content-Location`` naming the variant served and
``Link: rel="alternate"`` headers naming the others. One round trip instead of two, and caches
key on Accept. The IRIs identify things, not documents; under httpRange-14 a 200 response is
then a description of the thing, which is what every variant here is.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from rdflib import Graph, URIRef
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..core.context import load_context
from ..core.errors import UsageError
from ..core.namespaces import INSTANCES_BASE, TERMS_BASE
from ..core.resources import Resources
from ..outputs import jsonld
from ..pipeline.build import Built
from ..sparql.queries import bindings, list_queries, prepare
from . import entity, pages
from .config import Limits
from .pool import Saturated, WorkerPool
from .protocol import (
    GRAPH_TYPES,
    HTML,
    RDFLIB_FORMAT,
    RESULT_TYPES,
    ProtocolError,
    base_type,
    charset_of,
    error_body,
    media_type,
    negotiate,
)
from .service import service_description
from .worker import TRUNCATED_HEADER, Context, Reply

_ALLOW = "GET, HEAD, POST, OPTIONS"
_DOC_TYPES = {"html": HTML} | {k: GRAPH_TYPES[k] for k in ("ttl", "jsonld", "nt", "rdfxml")}
_CORS = {"Access-Control-Allow-Origin": "*"}
_HERE = Path(__file__).parent


def _json_error(exc: ProtocolError) -> Response:
    headers = {**exc.headers, **_CORS}
    if exc.status in (413, 400) and exc.code in ("request_too_large",):
        headers["Connection"] = "close"
    return Response(error_body(exc.code, exc.message), exc.status,
                    media_type="application/json", headers=headers)


def _wants_html(request: Request) -> bool:
    offers = {"html": HTML, **RESULT_TYPES}
    return negotiate(request.headers.get("accept"), offers, "json") == "html"


async def _body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``cap`` (whatever it claims)."""
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
    """The application state: the validated graph, the worker pool, the canned queries."""

    def __init__(self, built: Built, res: Resources, limits: Limits) -> None:
        if not built.validated:
            raise ValueError("the server serves only a validated graph")
        self.built = built
        self.limits = limits
        self.graph = built.merged()
        self.canned = {q.name: q for q in list_queries(res.queries_dir)}
        # Parsed in the worker on first use (and kept there): rdflib's parser took seconds for
        # all of them before the server could answer at all.
        prepared = {name: (q, None) for name, q in self.canned.items()}
        _warm(self.graph)
        self.context = load_context(res.context)
        self.pool = WorkerPool(Context(self.graph, prepared, limits), limits)

    async def run(self, job: dict[str, Any]) -> Reply:
        timeout = self.limits.canned_timeout if job["op"] == "canned" else self.limits.timeout
        try:
            return await self.pool.run(job, timeout)
        except Saturated:
            raise ProtocolError(429, "too_many_requests", "the server is busy; retry shortly",
                                {"Retry-After": "1"}) from None

    # ---- SPARQL endpoint -------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={
                "Allow": _ALLOW, **_CORS, "Access-Control-Allow-Methods": _ALLOW,
                "Access-Control-Allow-Headers": "Content-Type, Accept"})
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
                params += _form(_utf8(await _body(request, self.limits.max_body)))
                query = _one(params, "query")
            elif ctype == "application/sparql-query":
                charset = charset_of(request.headers.get("content-type", ""))
                if charset not in (None, "utf-8", "utf8"):
                    raise ProtocolError(415, "unsupported_charset", "send the query as UTF-8")
                if _one(params, "query") is not None:
                    raise ProtocolError(400, "multiple_parameters",
                                        "a query in both the body and the URL")
                query = _utf8(await _body(request, self.limits.max_body))
            else:
                raise ProtocolError(415, "unsupported_media_type",
                                    "POST a query as application/sparql-query or as "
                                    "application/x-www-form-urlencoded")
        else:
            query = _one(params, "query")
        if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in params):
            raise ProtocolError(403, "update_not_allowed", "this endpoint is read-only")
        if any(k in ("default-graph-uri", "named-graph-uri") for k, _ in params):
            raise ProtocolError(400, "dataset_not_allowed",
                                "default-graph-uri and named-graph-uri are not supported: "
                                "queries run over the natoeu graph")
        if query is None:
            if request.method == "POST":
                raise ProtocolError(400, "missing_query", "no 'query' parameter")
            return self._service_description(request)
        if len(query.encode()) > self.limits.max_body:
            raise ProtocolError(413, "request_too_large", "the query is too long")
        fmt = _one(params, "format")
        if fmt is not None and fmt not in RESULT_TYPES and fmt not in GRAPH_TYPES:
            raise ProtocolError(400, "bad_format", "format must be one of "
                                + ", ".join([*RESULT_TYPES, *GRAPH_TYPES]))
        reply = await self.run({"op": "sparql", "query": query, "format": fmt,
                                "accept": request.headers.get("accept")})
        return _reply(reply, download=fmt)

    def _service_description(self, request: Request) -> Response:
        fmt = negotiate(request.headers.get("accept"), GRAPH_TYPES, "ttl") or "ttl"
        endpoint = str(request.url.replace(query=""))
        g = service_description(endpoint, len(self.graph))
        return Response(g.serialize(format=RDFLIB_FORMAT[fmt]), media_type=media_type(fmt),
                        headers={"Vary": "Accept", **_CORS})

    # ---- canned queries --------------------------------------------------------------------

    def _canned_args(self, request: Request) -> tuple[str, dict[str, str], str | None]:
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
        try:
            bindings(self.canned[name], given)
        except UsageError as exc:
            raise ProtocolError(400, "bad_parameter", exc.message
                                + (f" {exc.hint}" if exc.hint else "")) from None
        return name, given, fmt

    async def canned_query(self, request: Request) -> Response:
        html = request.query_params.get("format") in (None, "html") and _wants_html(request)
        if html:
            return await self._canned_page(request)
        name, given, fmt = self._canned_args(request)
        if fmt is not None and fmt not in RESULT_TYPES:
            raise ProtocolError(400, "bad_format", "format must be one of "
                                + ", ".join(RESULT_TYPES))
        reply = await self.run({"op": "canned", "name": name, "params": given, "format": fmt,
                                "accept": request.headers.get("accept")})
        return _reply(reply, download=fmt)

    async def _canned_page(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.canned:
            return _error_page(404, "Unknown query", "There is no canned query by that name.")
        q = self.canned[name]
        values = dict(_form(request.url.query))
        try:
            name, given, _ = self._canned_args(request)
        except ProtocolError as exc:
            table = pages.Table(error=f"Error {exc.status}: {exc.message}")
            return HTMLResponse(pages.render("canned.html.j2", title=q.name, q=q, values=values,
                                             table=table), exc.status)
        reply = await self.run({"op": "canned", "name": name, "params": given, "format": "json",
                                "accept": None})
        qs = urlencode(list(given.items()))
        downloads = [(f, f"/queries/{name}?{qs}{'&' if qs else ''}format={f}")
                     for f in RESULT_TYPES]
        table = pages.table(self.built, reply, downloads)
        return HTMLResponse(pages.render("canned.html.j2", title=q.summary or q.name, q=q,
                                         values=values, table=table),
                            reply["status"], headers={"Vary": "Accept"})

    async def queries_page(self, request: Request) -> Response:
        if not _wants_html(request):
            doc = [{"name": q.name, "summary": q.summary, "description": q.description,
                    "parameters": [{"name": p.name, "type": p.kind, "default": p.default}
                                   for p in q.params]} for q in self.canned.values()]
            return Response(json.dumps(doc, indent=2), media_type="application/json",
                            headers={"Vary": "Accept"})
        return HTMLResponse(pages.render("queries.html.j2", title="Canned questions",
                                         queries=list(self.canned.values())),
                            headers={"Vary": "Accept"})

    # ---- query editor ----------------------------------------------------------------------

    async def editor(self, request: Request) -> Response:
        query = request.query_params.get("query", "")
        table, graph_text, status = None, None, 200
        if query.strip():
            if len(query.encode()) > self.limits.max_body:
                raise ProtocolError(413, "request_too_large", "the query is too long")
            reply = await self.run({"op": "sparql", "query": query, "format": None,
                                    "accept": "application/sparql-results+json, text/turtle"})
            status = reply["status"]
            q = quote(query)
            if reply["type"].startswith("text/turtle"):
                graph_text = reply["body"].decode("utf-8")
            else:
                downloads = [(f, f"/sparql?query={q}&format={f}") for f in RESULT_TYPES]
                table = pages.table(self.built, reply, downloads)
        example = ("PREFIX natoeu: <https://w3id.org/natoeu/ontology#>\n"
                   "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
                   "SELECT ?state ?name WHERE {\n  ?state a natoeu:State ; rdfs:label ?name .\n"
                   "  FILTER(LANG(?name) = \"en\")\n}\nORDER BY ?name\nLIMIT 50")
        return HTMLResponse(pages.render(
            "editor.html.j2", title="SPARQL query", query=query or example, table=table,
            graph_text=graph_text, timeout=f"{self.limits.timeout:g}",
            max_rows=self.limits.max_rows), status)

    # ---- linked data -----------------------------------------------------------------------

    def _document(self, request: Request, path: str, g: Graph,
                  page: Any) -> Response:
        fmt = request.query_params.get("format") or negotiate(
            request.headers.get("accept"), _DOC_TYPES, "ttl")
        if fmt not in _DOC_TYPES:
            raise ProtocolError(406, "not_acceptable", "offered: " + ", ".join(
                v[0] for v in _DOC_TYPES.values()))
        alternates = [{"name": f, "type": _DOC_TYPES[f][0], "href": f"{path}?format={f}"}
                      for f in _DOC_TYPES]
        headers = {
            "Vary": "Accept", **_CORS,
            "Content-Location": f"{path}?format={fmt}",
            "Link": ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
                              for a in alternates if a["name"] != fmt),
        }
        if fmt == "html":
            return HTMLResponse(page(alternates), headers=headers)
        if fmt == "jsonld":
            body = json.dumps(jsonld.compact(g, self.context), indent=2, ensure_ascii=False)
            return Response(body, media_type="application/ld+json", headers=headers)
        return Response(g.serialize(format=RDFLIB_FORMAT[fmt]), media_type=media_type(fmt),
                        headers=headers)

    async def resource(self, request: Request) -> Response:
        local = request.path_params["local"]
        iri = URIRef(INSTANCES_BASE + local)
        view = entity.view(self.built, iri) if _safe_local(local) else None
        if view is None:
            if _wants_html(request):
                return _error_page(404, "Not found", "The graph says nothing about this IRI.")
            raise ProtocolError(404, "unknown_resource", "the graph says nothing about this IRI")
        return self._document(
            request, f"/id/{local}", entity.description(self.graph, iri),
            lambda alts: pages.render("entity.html.j2", title=view.title, e=view,
                                      alternates=alts))

    async def ontology(self, request: Request) -> Response:
        info = pages.ontology_terms(self.built)
        return self._document(request, "/ontology", self.built.ontology,
                              lambda alts: pages.render("ontology.html.j2", alternates=alts,
                                                        **info))

    async def classes(self, request: Request) -> Response:
        return HTMLResponse(pages.render("classes.html.j2", title="Classes",
                                         classes=entity.classes(self.built)))

    async def class_index(self, request: Request) -> Response:
        name = request.path_params["name"]
        cls = URIRef(TERMS_BASE + name)
        if not _safe_local(name) or (cls, None, None) not in self.built.ontology:
            return _error_page(404, "Not found", "There is no class by that name.")
        info = pages.ontology_terms(self.built)
        term = next((t for t in info["terms"] if t.name == name), None)
        return HTMLResponse(pages.render(
            "class.html.j2", title=term.label if term else name, name=name,
            definition=term.definition if term else "",
            members=entity.instances(self.built, cls)))

    async def home(self, request: Request) -> Response:
        return HTMLResponse(pages.render("home.html.j2", title="NATO–EU relations",
                                         triples=len(self.graph)))


def _safe_local(local: str) -> bool:
    return bool(local) and all(c.isalnum() or c in "-_." for c in local)


def _warm(graph: Graph) -> None:
    """Import what queries and serialisers load lazily, before forking the workers.

    A worker's sandbox refuses file access while a job runs; importing a plugin then would be
    refused too.
    """
    for text in ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ASK { ?s ?p ?o }",
                 "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
                 "DESCRIBE <urn:x>"):
        result = graph.query(prepare(text))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            for fmt in RDFLIB_FORMAT.values():
                assert result.graph is not None
                result.graph.serialize(format=fmt)
        else:
            for fmt in ("json", "xml", "csv") if result.type == "SELECT" else ("json", "xml"):
                result.serialize(format=fmt)


def _reply(reply: Reply, download: str | None = None) -> Response:
    headers = {"Vary": "Accept", **_CORS, **reply["headers"]}
    if TRUNCATED_HEADER in reply["headers"]:
        headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
    if reply["status"] == 503:
        headers["Retry-After"] = "5"
    if download and reply["status"] == 200:
        ext = {"jsonld": "jsonld", "rdfxml": "rdf"}.get(download, download)
        headers["Content-Disposition"] = f'inline; filename="results.{ext}"'
    return Response(reply["body"], reply["status"], media_type=reply["type"], headers=headers)


def _error_page(status: int, title: str, message: str) -> Response:
    return HTMLResponse(pages.render("error.html.j2", title=title, message=message), status)


async def _protocol_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProtocolError)
    if (exc.status != 413 and request.url.path in ("/query",)) or (
            request.url.path.startswith("/queries/") and _wants_html(request)):
        return _error_page(exc.status, f"Error {exc.status}", exc.message)
    return _json_error(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _json_error(ProtocolError(exc.status_code, "not_found" if exc.status_code == 404
                                     else "http_error", str(exc.detail)))


async def _internal_error(request: Request, exc: Exception) -> Response:
    # never a traceback or a path in a response; the server log has the details
    return Response(error_body("internal_error", "internal server error"), 500,
                    media_type="application/json")


def create_app(built: Built, res: Resources, limits: Limits | None = None) -> Starlette:
    """The ASGI application; its lifespan forks the query workers and stops them."""
    server = Server(built, res, limits or Limits())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        server.pool.start()
        try:
            yield
        finally:
            server.pool.close()

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
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ProtocolError: _protocol_error, HTTPException: _http_error, 500: _internal_error})


def serve(built: Built, res: Resources, host: str, port: int, limits: Limits) -> None:
    """Run the server until interrupted (uvicorn, one process; queries run in its workers)."""
    import uvicorn

    app = create_app(built, res, limits)
    config = uvicorn.Config(app, host=host, port=port, server_header=False,
                            limit_concurrency=max(64, 4 * limits.queue),
                            timeout_keep_alive=5, log_level="warning", access_log=False)
    uvicorn.Server(config).run()


