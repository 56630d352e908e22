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
from typing import Any, Protocol, cast

from rdflib import XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from ..core.errors import NatoeuError, UsageError
from ..core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY
from ..core.oxterms import to_rdflib
from ..pipeline.build import Built
from ..sparql.queries import prepare, run

GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)
_KEY_GRAPH = "urn:natoeu:cache"


class BackendError(NatoeuError):
    """A store or endpoint failed or could not be reached."""

    exit_code = 3


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


class OxigraphBackend:
    """pyoxigraph, in memory or persistent on disk; the three parts in their named graphs."""

    def __init__(self, built: Built | None, path: Path | None = None,
                 key: str | None = None) -> None:
        """Open (or create) the store; load ``built`` into it unless it already holds the graph
        of that key. With ``built=None`` the store must hold the graph of ``key``."""
        import pyoxigraph as ox

        self.ox = ox
        self.store = ox.Store(str(path)) if path else ox.Store()
        key = built.key if built is not None else key
        marker = self.marker(key or "")
        if marker not in self.store:
            if built is None:
                raise BackendError(f"{path}: the store does not hold the graph {key}")
            self.store.clear()
            for name, part in zip(GRAPHS, (built.ontology, built.asserted, built.inferred),
                                  strict=True):
                data = part.serialize(format="nt").encode("utf-8")
                self.store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES,
                                     to_graph=ox.NamedNode(str(name)))
            self.store.add(marker)
            self.store.flush()
        self.graphs: list[Any] = [ox.NamedNode(str(g)) for g in GRAPHS]

    @staticmethod
    def marker(key: str) -> Any:
        """The quad that says which graph (by cache key) a store holds."""
        import pyoxigraph as ox

        return ox.Quad(ox.NamedNode(_KEY_GRAPH), ox.NamedNode(_KEY_GRAPH + ":key"),
                       ox.Literal(key), ox.NamedNode(_KEY_GRAPH))

    @classmethod
    def reopen(cls, path: Path, key: str) -> OxigraphBackend | None:
        """The persistent store at ``path`` if it already holds the graph of ``key``: a warm
        query then needs no cached rdflib graph (rdflib's parser still vets the text)."""
        if not (path / "CURRENT").exists():  # not a store (yet)
            return None
        try:
            return cls(None, path, key)
        except (BackendError, OSError):
            return None

    def query(self, text: str, initial: Mapping[str, Node] | None = None, source: str = "query",
              allow_service: tuple[str, ...] = ()) -> Result:
        # The same refusals as the embedded store, decided by rdflib's parser for every text
        # (a guess from the text let SERVICE through in strings, prefixed names and U+2028).
        prepare(text, source, allow_service)
        try:
            answer = self.store.query(substitute(text, initial), default_graph=self.graphs,
                                     named_graphs=self.graphs)
        except (SyntaxError, OSError, ValueError) as exc:
            raise UsageError(f"{source}: {exc}") from None
        ox = self.ox
        if isinstance(answer, ox.QueryBoolean):
            r = Result("ASK")
            r.askAnswer = bool(answer)
            return r
        if isinstance(answer, ox.QuerySolutions):
            r = Result("SELECT")
            names = [v.value for v in answer.variables]
            r.vars = [Variable(n) for n in names]
            r.bindings = [{Variable(n): to_rdflib(sol[n]) for n in names if sol[n] is not None}
                          for sol in answer]
            return r
        r = Result("CONSTRUCT")
        g = Graph()
        for t in cast(Iterable[Any], answer):
            g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
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
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            raise BackendError(f"{self.url}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise BackendError(f"{self.url}: cannot reach the endpoint: {exc}",
                               hint="Check the URL and that the server runs.") from None
        if graph_result:
            r = Result("CONSTRUCT")
            r.graph = Graph().parse(data=body, format="nt")
            return r
        return _result_from_json(json.loads(body))
