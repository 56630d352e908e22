"""Canned SPARQL queries: .rq files with grlc-style `#+` headers and BASIL parameters.

A parameter is a variable named ``?_<name>_<type>`` (e.g. ``?_date_xsd_date``); its value is
bound with initBindings, never by string concatenation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import XSD, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from ..core.errors import InputError, RemoteError, UsageError
from .prefixes import standard_prefixes

# Declared for every query (a query's own PREFIX declarations win); a tuple, to key the cache.
_STANDARD = tuple(standard_prefixes().items())
_PYPARSING_WHERE = re.compile(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$")
_UNKNOWN_PREFIX = re.compile(r"Unknown namespace prefix : (\S*)")

_PARAM = re.compile(r"\?_([A-Za-z][A-Za-z0-9]*)_(xsd_date|xsd_integer|xsd_string|iri)\b")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: str | None

    @property
    def variable(self) -> str:
        return f"_{self.name}_{self.kind}"


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    text: str
    summary: str
    description: str
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)
    # what external data (merged with --with) the query needs to answer; "" if none
    external: str = ""


def header(text: str) -> dict[str, Any]:
    """The grlc-style `#+` lines of a query file, as YAML."""
    lines = [line[3:] if line.startswith("#+ ") else line[2:]
             for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        return {}
    loaded = yaml.safe_load("\n".join(lines)) or {}
    return loaded if isinstance(loaded, dict) else {}


def parse_query_file(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    try:
        head = header(text)
    except yaml.YAMLError as exc:
        raise InputError(str(path), None, f"bad #+ header: {exc}") from exc
    defaults: dict[str, str] = {}
    for item in head.get("defaults") or []:
        if isinstance(item, dict):
            defaults.update({str(k): str(v) for k, v in item.items()})
    seen: dict[str, Param] = {}
    for m in _PARAM.finditer(text):
        seen.setdefault(m.group(1), Param(m.group(1), m.group(2), defaults.get(m.group(1))))
    return CannedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(head.get("summary", "")).strip(),
        description=str(head.get("description", "")).strip(),
        tags=tuple(str(t) for t in head.get("tags") or ()),
        params=tuple(seen.values()),
        external=str(head.get("external") or "").strip(),
    )


def list_queries(queries_dir: Path) -> list[CannedQuery]:
    return [parse_query_file(p) for p in sorted(queries_dir.glob("*.rq"))]


def get_query(queries_dir: Path, name: str) -> CannedQuery:
    path = queries_dir / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(queries_dir))
        raise UsageError(f"unknown query '{name}'", hint=f"Known queries: {known}.")
    return parse_query_file(path)


def expand_iri(raw: str) -> str | None:
    """The absolute IRI that ``raw`` (an IRI or a prefixed name such as ne:FIN) stands for, or
    None if it is neither."""
    prefixes = standard_prefixes()
    prefix, _, local = raw.partition(":")
    iri = prefixes[prefix] + local if prefix in prefixes and not local.startswith("//") else raw
    return iri if _ABSOLUTE_IRI.match(iri) else None


def coerce(param: Param, raw: str) -> Literal | URIRef:
    """Turn a command-line value into a typed RDF term, or raise UsageError."""
    if param.kind == "xsd_date":
        value = dt.date.today().isoformat() if raw == "today" else raw
        try:
            dt.date.fromisoformat(value)
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
        except ValueError:
            raise UsageError(
                f"parameter {param.name}={raw!r} is not a date",
                hint=f"Give a date as YYYY-MM-DD or 'today', e.g. {param.name}=2018-07-01.",
            ) from None
        return Literal(value, datatype=XSD.date)
    if param.kind == "xsd_integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", raw):
            raise UsageError(f"parameter {param.name}={raw!r} is not an integer",
                             hint=f"Give a whole number, e.g. {param.name}=3.")
        return Literal(int(raw), datatype=XSD.integer)
    if param.kind == "iri":
        iri = expand_iri(raw)
        if iri is None:
            raise UsageError(f"parameter {param.name}={raw!r} is not an IRI",
                             hint="Give an absolute IRI or a prefixed name such as ne:FIN.")
        return URIRef(iri)
    return Literal(raw)


def bindings(query: CannedQuery, given: dict[str, str]) -> dict[str, Literal | URIRef]:
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(known) or "none"
        raise UsageError(f"query '{query.name}' has no parameter {', '.join(unknown)}",
                         hint=f"Its parameters: {names}.")
    out: dict[str, Literal | URIRef] = {}
    for p in query.params:
        raw = given.get(p.name, p.default)
        if raw is None:
            raise UsageError(f"query '{query.name}' needs a value for its parameter {p.name}",
                             hint=f"Give it as {p.name}=VALUE.")
        out[p.variable] = coerce(p, raw)
    return out


def check_values(query: CannedQuery, given: dict[str, str]) -> None:
    """Raise on any wrong parameter that can be told without the graph: unknown names, missing
    values, ill-typed values. The entities given are left to ``entities.resolve``, which looks
    a label up in the graph."""
    entities = {p.name for p in query.params if p.kind == "iri" and p.name in given}
    bindings(query, {k: v for k, v in given.items() if k not in entities})


def services(prepared: Any) -> list[str]:
    """The endpoint IRIs of a prepared query's SERVICE clauses (each allowed, or prepare would
    have refused it)."""
    return _services(prepared.algebra)


def _services(node: Any) -> list[str]:
    """The endpoint IRIs of every SERVICE clause in a query's algebra."""
    if isinstance(node, dict):  # CompValue is a dict subclass
        found = [str(node.get("term"))] if getattr(node, "name", None) == "ServiceGraphPattern" \
            else []
        return found + [iri for v in node.values() for iri in _services(v)]
    if isinstance(node, (list, tuple)):
        return [iri for v in node for iri in _services(v)]
    return []


@lru_cache(maxsize=512)
def parsed(text: str, base: str | None = None,
           namespaces: tuple[tuple[str, str], ...] = ()) -> Any:
    """rdflib's parse + algebra translation of a query text, once per text.

    A translated query is reusable (that is what prepareQuery is for); parsing is most of the
    cost of a small query, and pyshacl re-issues each SPARQL constraint once per focus node.
    """
    # imported here: building rdflib's SPARQL grammar costs ~70 ms, which a query answered by
    # Oxigraph never needs
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces), base=base)


_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED_DOT = re.compile("%2e", re.IGNORECASE)


def _dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: ``/sparql/../admin`` is ``/admin``."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if i == len(segments) - 1:
                out.append("")
        elif seg == ".":
            if i == len(segments) - 1:
                out.append("")
        else:
            out.append(seg)
    return "/".join(out) or "/"


def normal_url(url: str) -> tuple[str, str, int, str] | None:
    """(scheme, host, port, path) of an http(s) URL as a server reads it: scheme and host in
    lower case, the default port made explicit, ``%2e`` decoded and dot-segments removed. None
    for anything else, and for a URL with a user name or password in it (``http://h@evil/``
    is a request to evil), or with an encoded slash or a backslash in its path (servers differ
    on what those mean)."""
    from urllib.parse import urlsplit

    try:
        u = urlsplit(url)
        scheme = u.scheme.lower()
        port = u.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not u.hostname or port is None or "@" in u.netloc:
        return None
    path = _UNRESERVED_DOT.sub(".", u.path)
    if "\\" in path or "%2f" in path.lower() or "%5c" in path.lower():
        return None
    return scheme, u.hostname.lower().rstrip("."), port, _dot_segments(path or "/")


def service_allowed(endpoint: str, allowed: tuple[str, ...]) -> bool:
    """Whether a SERVICE endpoint is one the user allowed: scheme, host and port equal, and the
    path equal or below the allowed one at a segment boundary (http://h:1899 does not allow
    http://h:18999, nor /sparql allow /sparql-admin), both compared normalised (normal_url):
    ``/sparql/../admin`` is not below ``/sparql``, ``http://h:80/`` is ``http://h/``, and a URL
    with a user name in it is never allowed."""
    target = normal_url(endpoint)
    if target is None:
        return False
    for prefix in allowed:
        rule = normal_url(prefix)
        if rule is None or rule[:3] != target[:3]:
            continue
        base = rule[3].rstrip("/")
        if not base or target[3] == base or target[3].startswith(base + "/"):
            return True
    return False


def prepare(text: str, source: str = "query", allow_service: tuple[str, ...] = (),
            allow_dataset: bool = False, base: str | None = None) -> Any:
    """Parse SPARQL text, turning pyparsing's errors into one line with line and column.

    FROM / FROM NAMED (rdflib reads them as files or URLs) and SERVICE (rdflib sends the
    current bindings to any host) are refused. With ``allow_dataset`` FROM / FROM NAMED pass:
    the caller must then resolve them itself (``dataset_clause``) and evaluate
    ``without_dataset(prepared)``, so rdflib never sees them. ``base``: the IRI that relative
    IRIs in the text resolve against (a server's: its endpoint), unless the text has a BASE.
    """
    try:
        prepared = parsed(text, base, _STANDARD)
    except RecursionError:
        raise UsageError(f"{source}: SPARQL nested too deeply") from None
    except Exception as exc:
        raise _syntax_error(exc, text, source) from None
    if not allow_dataset and getattr(prepared.algebra, "datasetClause", None):
        raise UsageError(f"{source}: FROM and FROM NAMED are not allowed",
                         hint="Queries run over the natoeu graph; merge other data instead.")
    for endpoint in _services(prepared.algebra):
        if not service_allowed(endpoint, allow_service):
            raise UsageError(
                f"{source}: SERVICE <{endpoint}> is not allowed",
                hint="Federation sends your query's bindings to that host; allow an endpoint "
                "with --allow-service URL (scheme, host and port exactly, path and below).")
    return prepared


def dataset_clause(prepared: Any) -> tuple[list[str], list[str]] | None:
    """The IRIs of a query's FROM and FROM NAMED clauses, or None when it has neither."""
    clause = getattr(prepared.algebra, "datasetClause", None)
    if not clause:
        return None
    default = [str(d.default) for d in clause if d.default is not None]
    named = [str(d.named) for d in clause if d.named is not None]
    return default, named


def without_dataset(prepared: Any) -> Any:
    """A copy of a prepared query without its FROM / FROM NAMED (the cached one is shared)."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Query

    algebra = prepared.algebra
    if not getattr(algebra, "datasetClause", None):
        return prepared
    stripped = CompValue(algebra.name, **{k: v for k, v in algebra.items()
                                          if k != "datasetClause"})
    return Query(prepared.prologue, stripped)


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f" at line {line}, column {col}"


def _syntax_error(exc: Exception, text: str, source: str) -> UsageError:
    """One message with the position once, and a hint that fits the mistake."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    unknown = _UNKNOWN_PREFIX.match(first)
    if unknown:
        prefix = unknown.group(1)
        used = re.search(rf"(?<![\w.:-]){re.escape(prefix)}:", text)
        where = _position(text, used.start()) if used else ""
        declared = ", ".join(p for p, _ in _STANDARD)
        return UsageError(
            f"{source}: SPARQL syntax error{where}: undeclared prefix '{prefix}:'",
            hint=f"Declare it first, e.g. PREFIX {prefix}: <https://example.org/ns#>. These "
            f"are declared for every query: {declared}.")
    loc = getattr(exc, "loc", None)
    where = _position(text, loc) if isinstance(loc, int) else ""
    msg = _PYPARSING_WHERE.sub("", first)
    excerpt = text[loc:loc + 30].splitlines()[0] if isinstance(loc, int) and \
        text[loc:loc + 30].strip() else ""
    if excerpt:
        hint = (f"The text there, «{excerpt}», does not fit SPARQL's grammar: look for a "
                "missing term, dot, brace or quote just before it (a triple pattern is subject, "
                "predicate, object).")
    else:
        hint = "The query ends too early: look for a missing closing brace, quote or term."
    return UsageError(f"{source}: SPARQL syntax error{where}: {msg}", hint=hint)


def run(graph: Graph, text: str, initial: dict[str, Any] | None = None,
        source: str = "query", allow_service: tuple[str, ...] = ()) -> Result:
    """Evaluate a query; evaluation errors become UsageError with one line."""
    prepared = prepare(text, source, allow_service)
    try:
        result = graph.query(prepared, initBindings={Variable(k): v
                                                     for k, v in (initial or {}).items()})
        if result.type == "SELECT":
            result.bindings = list(result.bindings)  # force evaluation inside the try
        return result
    except UsageError:
        raise
    except OSError as exc:  # urllib's errors from a SERVICE call, HTTPError and URLError included
        raise RemoteError(f"{source}: a SERVICE endpoint failed: {one_line(exc)}",
                          hint="Check that the endpoint runs and answers SPARQL at that URL; "
                          "the rest of the query was not answered.") from None
    except Exception as exc:
        raise UsageError(f"{source}: query failed: {type(exc).__name__}: {one_line(exc)}",
                         hint="Check the types the query compares and the functions it calls; "
                         "take patterns out until it runs to find the one that fails.") from None


def one_line(error: object, limit: int = 200) -> str:
    """An error (exception or text) as one short line: remote ones can be whole HTML pages."""
    text = str(error)
    if re.search(r"</\w+>|<!DOCTYPE|<html", text, re.IGNORECASE):  # an HTML error page
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def run_canned(graph: Graph, query: CannedQuery, given: dict[str, str],
               allow_service: tuple[str, ...] = ()) -> Result:
    return run(graph, query.text, bindings(query, given), source=str(query.path.name),
               allow_service=allow_service)


def inline(query: CannedQuery, given: dict[str, str] | None = None) -> str:
    """The query's text with each parameter written in as its value (the default unless given):
    a query that runs anywhere as it stands, such as an example pasted into a query editor.

    Values pass through ``coerce`` and are written by rdflib (``n3()``, escaped), never pasted
    as raw text. A constant rather than a VALUES block because SPARQL evaluates groups bottom-up:
    a filter in a nested group or UNION branch would not see a binding made outside it.
    """
    values = bindings(query, given or {})
    return _PARAM.sub(lambda m: values[f"_{m.group(1)}_{m.group(2)}"].n3(), query.text)
