"""Upload the validated, reasoned graph to a triplestore by the SPARQL 1.1 Graph Store Protocol.

Each part goes first into a staging graph; one SPARQL Update request then MOVEs all three into
place, so a reader sees the old graphs or the new ones (an update request is one transaction in
Oxigraph, Fuseki, GraphDB and Virtuoso). Afterwards the triple counts are checked.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from ..pipeline.build import Built
from .backends import GRAPHS, BackendError, EndpointBackend

_DEFAULTS = {"/query": ("/store", "/update"), "/sparql": ("/data", "/update")}


def endpoints(query_url: str, store_url: str | None, update_url: str | None) -> tuple[str, str]:
    """The Graph Store and Update URLs, derived from the query URL for the common layouts."""
    if store_url and update_url:
        return store_url, update_url
    for suffix, (store, update) in _DEFAULTS.items():
        if query_url.endswith(suffix):
            base = query_url[: -len(suffix)]
            return store_url or base + store, update_url or base + update
    raise BackendError(f"cannot tell the Graph Store and Update URLs of {query_url}",
                       hint="Pass --store-url and --update-url.")


def _send(url: str, data: bytes, method: str, content_type: str) -> None:
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        raise BackendError(f"{url}: HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise BackendError(f"{url}: cannot reach the store: {exc}") from None


def publish(built: Built, query_url: str, store_url: str | None = None,
            update_url: str | None = None) -> dict[str, int]:
    """Replace the three named graphs at the endpoint; return the verified triple counts."""
    store, update = endpoints(query_url, store_url, update_url)
    parts = dict(zip(GRAPHS, (built.ontology, built.asserted, built.inferred), strict=True))
    for name, part in parts.items():
        staging = f"{name}-staging"
        url = f"{store}?{urllib.parse.urlencode({'graph': staging})}"
        _send(url, part.serialize(format="nt").encode("utf-8"), "PUT", "application/n-triples")
    moves = " ;\n".join(f"MOVE SILENT <{name}-staging> TO <{name}>" for name in parts)
    _send(update, moves.encode("utf-8"), "POST", "application/sparql-update")
    reader = EndpointBackend(query_url, default_graphs=())
    counts: dict[str, int] = {}
    for name, part in parts.items():
        result = reader.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        (row,) = list(result.bindings)
        counts[str(name)] = int(row[next(iter(row))])
        if counts[str(name)] != len(part):
            raise BackendError(f"{name}: the store holds {counts[str(name)]} triples, "
                               f"{len(part)} were sent")
    return counts
