"""Where queries run: embedded rdflib (default), embedded Oxigraph, or a remote SPARQL endpoint.

All three answer through rdflib ``Result`` objects, so formatting and comparison are shared. The
safety checks of queries.prepare (no FROM, SERVICE only when allowed) run for every backend.
Parameters: rdflib binds them with initBindings; Oxigraph and remote endpoints get them
substituted as serialised RDF terms (the values are validated first by queries.coerce), the way
grlc does, since the SPARQL protocol has no bindings.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from rdflib import XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from ..core.errors import RemoteError, UsageError
from ..core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from ..core.oxterms import to_oxigraph, to_rdflib
from ..pipeline.build import Built
from ..sparql.prefixes import standard_prefixes
from ..sparql.queries import one_line, prepare, run
from . import dialect, disk
from .oxrun import Answer, evaluate

GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)


class BackendError(RemoteError):
    """A store or endpoint failed or could not be reached."""


class Backend(Protocol):
    def query(self, text: str, initial: Mapping[str, Node] | None = None, source: str = "query",
              allow_service: tuple[str, ...] = ()) -> Result: ...


class RdflibBackend:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def query(self, text: str, initial: Mapping[str, Node] | None = None, source: str = "query",
              allow_service: tuple[str, ...] = ()) -> Result:
        return run(self.graph, text, dict(initial or {}), source=source,
                   allow_service=allow_service)


def substitute(text: str, initial: Mapping[str, Node] | None) -> str:
    """Replace each ``?_name_type`` parameter by its serialised (validated) term."""
    for name, term in (initial or {}).items():
        serialised = term.n3()
        text = re.sub(rf"[?$]{re.escape(name)}\b", lambda _m: serialised, text)  # noqa: B023
    return text


def _result_from_json(doc: dict[str, Any]) -> Result:
    if "boolean" in doc:
        r = Result("ASK")
        r.askAnswer = bool(doc["boolean"])
        return r
    r = Result("SELECT")
    names = doc["head"]["vars"]
    r.vars = [Variable(v) for v in names]
    r.bindings = [{Variable(k): _term_json(v) for k, v in row.items()}
                  for row in doc["results"]["bindings"]]
    return r


def _term_json(v: dict[str, str]) -> Any:
    if v["type"] == "uri":
        return URIRef(v["value"])
    if v["type"] == "bnode":
        return BNode(v["value"])
    dt = v.get("datatype")
    if dt == str(XSD.string):
        dt = None
    return Literal(v["value"], lang=v.get("xml:lang"), datatype=URIRef(dt) if dt else None)


def fill_store(store: Any, built: Built, marker: bool = True) -> None:
    """Load the three parts into their named graphs of an Oxigraph store, key marker last
    (``marker``: a store kept on disk says by it which graph it holds).

    Term by term (core.oxterms), not through a serialisation: Oxigraph's parsers name blank
    nodes afresh for each document, so a blank node of the asserted graph (an interval) and
    the same node in the inferred graph (with its inferred types) became two nodes, and a query
    joining the two parts over it found nothing. Term by term, every blank node keeps its one
    label, the one rdflib has, so both engines also write the same labels."""
    import pyoxigraph as ox

    for name, part in zip(GRAPHS, (built.ontology, built.asserted, built.inferred), strict=True):
        graph = ox.NamedNode(str(name))
        store.bulk_extend([ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph)
                           for s, p, o in part])
    if marker:
        store.add(disk.marker(built.key))
    store.flush()


def write_store(folder: Path, built: Built) -> None:
    """A new persistent store of ``built`` in ``folder``, closed on return."""
    import pyoxigraph as ox

    fill_store(ox.Store(str(folder)), built)


class OxigraphBackend:
    """pyoxigraph, in memory or persistent on disk; the three parts in their named graphs."""

    def __init__(self, built: Built | None, path: Path | None = None,
                 key: str | None = None, content: disk.Content | None = None) -> None:
        """Open the store at ``path`` if it holds the graph of ``key`` (by default
        ``built.key``); build it there first (beside, then switched in) if ``path`` holds
        nothing; refuse a store of other inputs or anything else (``content``: what ``path``
        holds, if the caller looked already). Without ``path``, an in-memory store of
        ``built``."""
        import pyoxigraph as ox

        self.ox = ox
        self.graphs: list[Any] = [ox.NamedNode(str(g)) for g in GRAPHS]
        self.graph_iris = [str(g) for g in GRAPHS]
        # the store's named graphs are exactly the three (no key marker): queries over all of
        # them may use Oxigraph's union mode (oxrun.evaluate)
        self.union = path is None
        self.prefixes = standard_prefixes()  # declared for every query, as rdflib's initNs
        key = built.key if built is not None else key
        if path is None:
            if built is None:
                raise ValueError("an in-memory store needs the built graph")
            self.store = ox.Store()
            fill_store(self.store, built, marker=False)
            return
        content = content or disk.inspect(path)
        disk.refuse(path, content, key or "")
        if content.holds is disk.Holds.NOTHING:
            if built is None:
                raise BackendError(f"{path}: no store there",
                                   hint=f"Build it with `natoeu load --store oxigraph:{path}`.")
            disk.replace(path, lambda folder: write_store(folder, built))
        # read-only: a query never writes, and a `natoeu load` may switch the folder meanwhile
        self.store = ox.Store.read_only(str(path))

    def dataset(self) -> tuple[list[str] | None, list[str] | None]:
        """The default and named graphs of a query over the whole graph (oxrun.evaluate)."""
        return (None, None) if self.union else (self.graph_iris, self.graph_iris)

    @classmethod
    def at(cls, path: Path, key: str) -> OxigraphBackend | None:
        """The persistent store at ``path`` if it holds the graph of ``key`` (a warm query then
        needs no cached rdflib graph); None if ``path`` holds nothing yet; refused otherwise."""
        content = disk.inspect(path)
        disk.refuse(path, content, key)
        return None if content.holds is disk.Holds.NOTHING else cls(None, path, key, content)

    def query(self, text: str, initial: Mapping[str, Node] | None = None, source: str = "query",
              allow_service: tuple[str, ...] = ()) -> Result:
        # The same refusals as the embedded store, decided by rdflib's parser for every text
        # (a guess from the text let SERVICE through in strings, prefixed names and U+2028).
        prepare(text, source, allow_service)
        try:
            answer = evaluate(self.store, substitute(text, initial), *self.dataset(),
                              self.prefixes)
        except OSError as exc:  # raised while iterating: a SERVICE call failed
            raise RemoteError(f"{source}: a SERVICE endpoint failed: {one_line(exc)}",
                              hint="Check that the endpoint runs and answers SPARQL at that "
                              "URL; the rest of the query was not answered.") from None
        except (SyntaxError, ValueError) as exc:
            raise UsageError(f"{source}: {one_line(exc)}",
                             hint="Check the query text at that position.") from None
        return result_of(answer)


def result_of(answer: Answer) -> Result:
    """Oxigraph's answer (oxrun) as an rdflib Result, term by term."""
    if answer.kind == "ASK":
        r = Result("ASK")
        r.askAnswer = answer.boolean
        return r
    if answer.kind == "SELECT":
        r = Result("SELECT")
        r.vars = [Variable(n) for n in answer.variables]
        r.bindings = [{v: to_rdflib(t) for v, t in zip(r.vars, row, strict=True)
                       if t is not None} for row in answer.rows]
        return r
    r = Result("CONSTRUCT")
    g = Graph()
    for s, p, o in answer.triples:
        g.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    r.graph = g
    return r


class EndpointBackend:
    """Any SPARQL 1.1 Protocol endpoint, read over HTTP."""

    def __init__(self, url: str, default_graphs: Iterable[str] = tuple(map(str, GRAPHS)),
                 timeout: float = 60.0) -> None:
        self.url = url
        self.default_graphs = list(default_graphs)
        self.timeout = timeout

    def query(self, text: str, initial: Mapping[str, Node] | None = None, source: str = "query",
              allow_service: tuple[str, ...] = ()) -> Result:
        prepared = prepare(text, source, allow_service)
        form = [("query", substitute(text, initial))]
        form += [("default-graph-uri", g) for g in self.default_graphs]
        graph_result = prepared.algebra.name in ("ConstructQuery", "DescribeQuery")
        accept = "application/n-triples" if graph_result else "application/sparql-results+json"
        req = urllib.request.Request(
            self.url, data=urllib.parse.urlencode(form).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
                cut_at = resp.headers.get("X-SPARQL-MaxRows")
        except urllib.error.HTTPError as exc:
            detail = one_line(exc.read()[:2000].decode("utf-8", "replace"))
            raise BackendError(f"{self.url}: HTTP {exc.code} {exc.reason}: {detail}",
                               hint=_HTTP_HINTS.get(exc.code, "The endpoint refused the query; "
                                                    "its message is above.")) from None
        except (urllib.error.URLError, OSError) as exc:
            raise BackendError(f"{self.url}: cannot reach the endpoint: {one_line(exc)}",
                               hint="Check the URL and that the server runs.") from None
        if cut_at is not None:
            # Virtuoso answers 200 with the rows up to its ResultSetMaxRows and says so only in
            # this header: a cut answer is never passed on as the whole one
            raise BackendError(f"{self.url}: the endpoint cut the answer off at {cut_at} rows",
                               hint="Raise the store's limit (Virtuoso: ResultSetMaxRows in "
                                    "[SPARQL] of virtuoso.ini) or ask for fewer rows.")
        try:
            if graph_result:
                r = Result("CONSTRUCT")
                r.graph = Graph().parse(data=body, format="nt")
                return r
            # read as the standard means it where a store departs in a known way (Virtuoso's
            # ASK as a one-cell SELECT, its booleans as 1 and 0)
            return dialect.read(_result_from_json(json.loads(body)),
                                prepared.algebra.name == "AskQuery",
                                dialect.boolean_columns(prepared.algebra))
        except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
            raise BackendError(f"{self.url}: the answer is not SPARQL results "
                               f"({type(exc).__name__}: {one_line(exc)})",
                               hint="Is this the endpoint's query URL? It must answer the SPARQL "
                               "1.1 Protocol (e.g. /sparql or /query).") from None


_HTTP_HINTS = {
    400: "The endpoint could not run the query (its SPARQL dialect, or a graph it lacks).",
    401: "The endpoint wants credentials; natoeu queries read-only public endpoints.",
    403: "The endpoint refused the query; it may not allow this client or query form.",
    404: "No endpoint at that URL: check the query path (e.g. /sparql or /query).",
    405: "That URL does not take SPARQL queries by POST: is it the query URL?",
    429: "The endpoint is rate-limiting: wait and try again.",
    501: "That URL does not take SPARQL queries by POST: is it the query URL?",
    503: "The endpoint is busy or down: try again later.",
}
