"""The query page's data, as JSON for its script: YASGUI's examples and prefixes.

The page (/query) runs YASGUI, vendored in static/yasgui/. It reads /query/config.json (the
endpoint, the declared prefixes, the canned queries as examples) and /query/prefixes.json,
which YASQE fetches in place of prefix.cc for its prefix completion, so nothing leaves the
server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import URIRef
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.errors import UsageError
from ..core.namespaces import INSTANCES_BASE, TERMS_BASE
from ..sparql.prefixes import standard_prefixes
from ..sparql.queries import CannedQuery, inline
from .entity import local_href


def examples(canned: Mapping[str, CannedQuery]) -> list[dict[str, str]]:
    """Each canned query as it runs at /sparql: its parameters written in as their defaults
    ("today" resolved now), in the order of the canned list."""
    out = []
    for q in canned.values():
        try:
            text = inline(q)
        except UsageError:  # a parameter without a default stays a variable to fill in
            text = q.text
        out.append({"name": q.name, "summary": q.summary, "description": q.description,
                    "query": text, "form": f"/queries/{q.name}"})
    return out


def config(canned: Mapping[str, CannedQuery]) -> dict[str, Any]:
    # "pages": the graph's IRIs open this server's pages, as in its own tables
    pages = {base: local_href(URIRef(base)) for base in (INSTANCES_BASE, TERMS_BASE)}
    return {"endpoint": "/sparql", "prefixes": standard_prefixes(), "pages": pages,
            "examples": examples(canned)}


def routes(canned: Mapping[str, CannedQuery]) -> list[Route]:
    async def config_json(request: Request) -> Response:
        return JSONResponse(config(canned), headers={"Cache-Control": "no-cache"})

    async def prefixes_json(request: Request) -> Response:
        # the shape of prefix.cc's all.file.json, which YASQE's prefix completer reads
        return JSONResponse(standard_prefixes())

    return [Route("/query/config.json", config_json, methods=["GET", "HEAD"]),
            Route("/query/prefixes.json", prefixes_json, methods=["GET", "HEAD"])]
