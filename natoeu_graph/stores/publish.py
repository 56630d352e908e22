"""Upload the validated, reasoned graph to a triplestore by the SPARQL 1.1 Graph Store Protocol.

Each part goes first into a staging graph, whose triple count is checked; one SPARQL Update
request then MOVEs all three into place, so a reader sees the old graphs or the new ones (an
update request is one transaction in Oxigraph, Fuseki, GraphDB and Virtuoso). The counts are
checked again afterwards. On any failure before the switch the staging graphs are dropped and
the published graphs are left as they were.

Stores that guard writes (Virtuoso's /sparql-graph-crud-auth and /sparql-auth) get the user
and password by HTTP Digest authentication, which never sends the password itself.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import UsageError
from ..pipeline.build import Built
from .backends import GRAPHS, BackendError, EndpointBackend

# Query URL suffix -> (Graph Store, Update) suffixes: Oxigraph server, Fuseki (/<dataset>/sparql).
_DEFAULTS = {"/query": ("/store", "/update"), "/sparql": ("/data", "/update")}
# Virtuoso answers queries at /sparql at the root of the server (Fuseki always has a dataset
# segment first); its authenticated Graph Store and Update endpoints:
_VIRTUOSO = ("/sparql-graph-crud-auth", "/sparql-auth")
_CREDENTIALS_HINT = ("Set NATOEU_PUBLISH_USER to a user allowed to write (on Virtuoso one with "
                     "the SPARQL_UPDATE role) and NATOEU_PUBLISH_PASSWORD, or leave the password "
                     "unset to be asked for it.")


@dataclass(frozen=True)
class Credentials:
    """A user and password for the store's write endpoints (the password is kept out of repr)."""

    user: str
    password: str = field(repr=False)


def endpoints(query_url: str, store_url: str | None, update_url: str | None) -> tuple[str, str]:
    """The Graph Store and Update URLs, derived from the query URL for the common layouts."""
    for url in (query_url, store_url, update_url):
        if url and urllib.parse.urlsplit(url).password is not None:
            # say which option, never the URL: it holds the password
            raise UsageError("a URL holds a password",
                             hint="Remove it from the URL; " + _CREDENTIALS_HINT)
    if store_url and update_url:
        return store_url, update_url
    parts = urllib.parse.urlsplit(query_url)
    if parts.path == "/sparql" and not parts.query:
        base = query_url[: -len("/sparql")]
        return store_url or base + _VIRTUOSO[0], update_url or base + _VIRTUOSO[1]
    for suffix, (store, update) in _DEFAULTS.items():
        if query_url.endswith(suffix):
            base = query_url[: -len(suffix)]
            return store_url or base + store, update_url or base + update
    raise BackendError(f"cannot tell the Graph Store and Update URLs of {query_url}",
                       hint="Pass --store-url and --update-url.")


class _PreemptiveDigest(urllib.request.HTTPDigestAuthHandler):
    """urllib answers a Digest challenge by sending the whole request again; a server that
    refuses a large upload before reading it (Virtuoso) breaks the pipe of the first attempt.
    So once a challenge is known, every request carries its answer from the start (the next
    nonce count), and the writer meets the challenge with a bodiless request first."""

    challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _scheme, challenge = auth.split(" ", 1)
        items = [item for item in urllib.request.parse_http_list(challenge) if item]
        self.challenge = urllib.request.parse_keqv_list(items)
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge and not req.has_header("Authorization"):
            answer = self.get_authorization(req, self.challenge)
            if answer:
                req.add_unredirected_header("Authorization", f"Digest {answer}")
        return req

    https_request = http_request


class _Writer:
    """Sends the write requests, answering a Digest challenge when credentials are given."""

    def __init__(self, credentials: Credentials | None, urls: tuple[str, ...]) -> None:
        self.user = credentials.user if credentials else None
        handlers: list[urllib.request.BaseHandler] = []
        if credentials is not None:
            # the password is offered to these URLs only, in whatever realm they name
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, list(urls), credentials.user, credentials.password)
            handlers.append(_PreemptiveDigest(passwords))
        self.opener = urllib.request.build_opener(*handlers)

    def probe(self, url: str) -> None:
        """A read of ``url`` that meets the store's challenge, if any, before any upload: a
        missing or refused password fails here, with nothing sent. Any answer but 401/403 will
        do (a graph not found is 404)."""
        self.send(url, None, "GET", None, probe=True)

    def send(self, url: str, data: bytes | None, method: str, content_type: str | None, *,
             probe: bool = False) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=300) as resp:
                resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise self._refused(url, exc) from None
            if probe:
                return
            detail = (exc.read() if exc.fp else b"")[:300].decode("utf-8", "replace").strip()
            raise BackendError(f"{url}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise BackendError(f"{url}: cannot reach the store: {exc}",
                               hint="Check the URL and that the server runs.") from None
        except ValueError as exc:  # urllib: a challenge scheme it cannot answer
            raise BackendError(f"{url}: {exc}", hint=_CREDENTIALS_HINT) from None

    def _refused(self, url: str, exc: urllib.error.HTTPError) -> BackendError:
        challenge = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
        if self.user is None:
            return BackendError(f"{url}: HTTP {exc.code}: the store requires a user and password "
                                "to write", hint=_CREDENTIALS_HINT)
        if challenge and not challenge.lower().startswith("digest"):
            return BackendError(f"{url}: HTTP {exc.code}: the store asks for "
                                f"{challenge.split()[0]} authentication; only Digest is supported",
                                hint="Use the store's Digest-authenticated endpoints.")
        return BackendError(f"{url}: HTTP {exc.code}: the store refused user {self.user!r} "
                            "(wrong password, or no right to write)", hint=_CREDENTIALS_HINT)


def _graph_url(store: str, graph: str) -> str:
    return f"{store}?{urllib.parse.urlencode({'graph': graph})}"


def _count(reader: EndpointBackend, graph: str) -> int:
    result = reader.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    (row,) = list(result.bindings)
    return int(row[next(iter(row))])


def _check_counts(reader: EndpointBackend, sent: dict[str, int], suffix: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, n in sent.items():
        counts[name] = _count(reader, name + suffix)
        if counts[name] != n:
            raise BackendError(f"{name + suffix}: the store holds {counts[name]} triples, "
                               f"{n} were sent")
    return counts


def publish(built: Built, query_url: str, store_url: str | None = None,
            update_url: str | None = None,
            credentials: Credentials | None = None) -> dict[str, int]:
    """Replace the three named graphs at the endpoint; return the verified triple counts."""
    store, update = endpoints(query_url, store_url, update_url)
    writer = _Writer(credentials, (store, update))
    reader = EndpointBackend(query_url, default_graphs=())
    parts = {str(name): part for name, part in
             zip(GRAPHS, (built.ontology, built.asserted, built.inferred), strict=True)}
    sent = {name: len(part) for name, part in parts.items()}
    writer.probe(_graph_url(store, next(iter(parts)) + "-staging"))
    try:
        for name, part in parts.items():
            writer.send(_graph_url(store, name + "-staging"),
                        part.serialize(format="nt").encode("utf-8"), "PUT",
                        "application/n-triples")
        _check_counts(reader, sent, "-staging")
        moves = " ;\n".join(f"MOVE SILENT <{name}-staging> TO <{name}>" for name in parts)
        writer.send(update, moves.encode("utf-8"), "POST", "application/sparql-update")
    except BackendError:
        # the published graphs are untouched; leave no staging copy behind (best effort: the
        # store may be unreachable or refuse us, which the error raised already says)
        for name in parts:
            with contextlib.suppress(BackendError):
                writer.send(_graph_url(store, name + "-staging"), None, "DELETE", None)
        raise
    return _check_counts(reader, sent, "")
