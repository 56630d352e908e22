"""Names in queries checked against the graph: entity parameters of canned queries (an IRI, a
prefixed name or a label), so that `sources -p entity=Sweden` works and `entity=ne:nosuch` says
it names nothing; and natoeu: terms the ontology does not define, which make answers empty.

The graph is asked through whatever store runs the query (``Ask``: text and bindings in, rdflib
Result out), so the same checks hold on rdflib, Oxigraph and a remote endpoint.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rdflib import Literal, URIRef, Variable
from rdflib.paths import Path
from rdflib.query import Result

from ..core.errors import UsageError
from ..core.namespaces import NATOEU, TERMS_BASE
from .prefixes import prologue, standard_prefixes
from .queries import CannedQuery, expand_iri

Ask = Callable[[str, Mapping[str, Any]], Result]

_HEAD = prologue()
# A label matches whatever its case; both the preferred and the alternative labels count.
_BY_LABEL = _HEAD + """SELECT DISTINCT ?e ?l WHERE {
  ?e rdfs:label|skos:altLabel ?l .
  FILTER(isIRI(?e) && LCASE(STR(?l)) = LCASE(STR(?_needle)))
} ORDER BY ?e ?l"""
_EXISTS = _HEAD + "ASK { { ?_entity ?p ?o } UNION { ?s ?p ?_entity } }"
_LABELS = _HEAD + """SELECT DISTINCT ?e ?l WHERE {
  ?e rdfs:label|skos:altLabel ?l . FILTER(isIRI(?e))
} ORDER BY ?e ?l"""


def short(iri: str) -> str:
    """ne:SWE rather than the full IRI, for messages."""
    for prefix, base in sorted(standard_prefixes().items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


def _rows(result: Result) -> list[tuple[str, str]]:
    e, lab = Variable("e"), Variable("l")
    return [(str(row[e]), str(row[lab])) for row in result.bindings if e in row and lab in row]


class Labels:
    """Every entity's labels (rdfs:label and skos:altLabel, any case), read once: a process
    that resolves many parameters over a graph that does not change (a server's worker) looks
    labels up here instead of scanning the graph twice for each (a third of a second)."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        self.by_lower: dict[str, list[tuple[str, str]]] = {}
        for iri, label in rows:
            self.by_lower.setdefault(label.lower(), []).append((iri, label))
        self.keys: dict[str, tuple[str, str]] = {}  # label or local name -> entity
        for iri, label in rows:
            self.keys.setdefault(label.lower(), (iri, label))
            self.keys.setdefault(short(iri).split(":", 1)[-1].lower(), (iri, label))

    @classmethod
    def read(cls, ask: Ask) -> Labels:
        return cls(_rows(ask(_LABELS, {})))

    def equal(self, raw: str) -> list[tuple[str, str]]:
        """(entity, label) for each label equal to ``raw`` whatever its case, as _BY_LABEL."""
        return sorted(set(self.by_lower.get(raw.lower(), [])))


def near_matches(raw: str, ask: Ask, n: int = 5, labels: Labels | None = None) -> list[str]:
    """Entities whose label (or local name) contains ``raw`` or is close to it (difflib), as
    "Label (ne:X)", one per entity."""
    needle = raw.rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    keys = (labels or Labels.read(ask)).keys
    within = sorted((k for k in keys if len(needle) >= 3 and needle in k), key=len)
    close = difflib.get_close_matches(needle, list(keys), n=n * 2, cutoff=0.6)
    shown: dict[str, str] = {}
    for key in [*close, *within]:
        iri, label = keys[key]
        shown.setdefault(iri, f"{label} ({short(iri)})")
    return list(shown.values())[:n]


def _no_entity(name: str, raw: str, ask: Ask, why: str,
               labels: Labels | None = None) -> UsageError:
    near = near_matches(raw, ask, labels=labels)
    hint = ("Did you mean: " + "; ".join(near) + "?") if near else \
        "Give an entity's IRI, prefixed name (such as ne:SWE) or English label (such as Sweden)."
    return UsageError(f"parameter {name}={raw!r} names no entity in the graph: {why}", hint=hint)


def resolve(query: CannedQuery, given: dict[str, str], ask: Ask,
            labels: Labels | None = None) -> dict[str, str]:
    """``given`` with each IRI parameter given by label replaced by its entity's IRI; an IRI
    that names nothing in the graph, an unknown or an ambiguous label is a UsageError.
    ``labels``: the graph's labels read once before (else the graph is asked)."""
    out = dict(given)
    for param in query.params:
        if param.kind != "iri" or param.name not in given:
            continue
        raw = given[param.name]
        iri = expand_iri(raw)
        if iri is not None:
            if not ask(_EXISTS, {"_entity": URIRef(iri)}).askAnswer:
                raise _no_entity(param.name, raw, ask, f"no triple mentions {short(iri)}",
                                 labels)
            continue
        matches = labels.equal(raw) if labels is not None else \
            _rows(ask(_BY_LABEL, {"_needle": Literal(raw)}))
        iris = sorted({m[0] for m in matches})
        if not iris:
            raise _no_entity(param.name, raw, ask, "it is not an IRI and no label equals it",
                             labels)
        if len(iris) > 1:
            listed = "; ".join(f"{label} ({short(i)})" for i, label in matches)
            raise UsageError(f"parameter {param.name}={raw!r} is the label of {len(iris)} "
                             f"entities: {listed}",
                             hint=f"Name one of them, e.g. {param.name}={short(iris[0])}.")
        out[param.name] = iris[0]
    return out


def _iris(node: Any) -> Iterator[URIRef]:
    """Every IRI in a query's algebra, property paths included."""
    if isinstance(node, URIRef):
        yield node
    elif isinstance(node, dict):  # CompValue is a dict subclass
        for value in node.values():
            yield from _iris(value)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            yield from _iris(value)
    elif isinstance(node, Path):
        for part in ("args", "path", "arg"):
            yield from _iris(getattr(node, part, None))


def unknown_terms(algebra: Any) -> list[str]:
    """One note per natoeu: term the query uses that the ontology does not define, with the
    nearest defined term; a typo there makes an empty answer, not an error."""
    known = sorted(NATOEU.__annotations__)
    notes: list[str] = []
    for iri in sorted(set(_iris(algebra))):
        if not str(iri).startswith(TERMS_BASE):
            continue
        local = str(iri)[len(TERMS_BASE):]
        if local in known:
            continue
        near = difflib.get_close_matches(local, known, n=1, cutoff=0.6)
        notes.append(f"natoeu:{local} is not a term of the ontology"
                     + (f"; did you mean natoeu:{near[0]}?" if near else ""))
    return notes
