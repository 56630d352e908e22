"""Offline reconciliation with Wikidata: compare the graph's memberships and tenures with the
matching Wikidata statements, fetched once with :func:`wikidata_query` and saved to a file.

The steps: run ``wikidata_query(graph)`` on the Wikidata Query Service (by hand or by the CLI),
save the answer, read it with :func:`read_results`, and compare with :func:`reconcile`. Nothing
here touches the network, so the comparison is repeatable and testable.

What is compared. Only entities linked with ``owl:sameAs <http://www.wikidata.org/entity/Q...>``
take part (one Wikidata item per entity: the lowest QID if a curator linked several):

- memberships (``org:member``, ``org:organization``, ``org:memberDuring``) of a linked member in
  a linked organisation, against Wikidata P463 "member of";
- tenures (``natoeu:Tenure`` with ``natoeu:holder``, ``natoeu:post``, ``natoeu:during``) of a
  linked person in a linked post, against Wikidata P39 "position held";

each with its start (P580) and end (P582) qualifiers against ``time:hasBeginning`` and
``time:hasEnd`` (``time:inXSDDate``, or ``time:inXSDgYearMonth``/``time:inXSDgYear``, compared at
that precision). Dates are compared at day precision: Wikidata's ``2023-04-04T00:00:00Z`` equals
``"2023-04-04"^^xsd:date``. WDQS gives no precision with a plain date value, so a Wikidata date of
year precision shows as 1 January of that year.

Input files (:func:`read_results`), chosen by suffix:

- ``.json`` / ``.srj``: SPARQL 1.1 Query Results JSON as WDQS returns it for the query, one
  binding per statement with ``?subject`` and ``?object`` Wikidata item IRIs, ``?property`` the
  IRI of P463 or P39 (``wdt:``, ``p:``, ``ps:`` or ``wd:`` form), optional ``?start``/``?end``
  literals of type xsd:dateTime or xsd:date. An "unknown value" date (a blank node or a Wikidata
  ``.well-known/genid`` IRI) reads as ``"unknown"``. Other variables are ignored.
- ``.ttl``: Turtle in the shape of Wikidata's RDF dump. A statement is reified:
  ``wd:Q33 p:P463 ?st . ?st ps:P463 wd:Q7184 ; pq:P580 "2023-04-04T00:00:00Z"^^xsd:dateTime .``
  (``pq:P582`` for the end; at most one of each). Statements with ``wikibase:rank
  wikibase:DeprecatedRank`` are skipped, as the query skips them. A truthy triple
  ``wd:Q33 wdt:P463 wd:Q7184`` counts as a statement without dates unless a reified statement
  says the same. Every other triple (labels, references, other properties) is ignored.

Identical statements (same items, property and dates) count once. Bad input raises
:class:`InputError` naming the file; a library: nothing is printed.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..core.errors import InputError
from ..core.namespaces import NATOEU, ORG, TIME
from ..pipeline.parse import printable
from ..pipeline.parse_external import MAX_FILE_BYTES, parse_external

MEMBER_OF = "P463"
POSITION_HELD = "P39"
START = "P580"
END = "P582"
_PROPERTIES = (MEMBER_OF, POSITION_HELD)

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
WIKIBASE = "http://wikiba.se/ontology#"
_GENID = "http://www.wikidata.org/.well-known/genid/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_TYPES = (_XSD + "dateTime", _XSD + "date")

AGREE = "agree"
DIFFERS = "differs"
MISSING_IN_WIKIDATA = "missing in Wikidata"
MISSING_HERE = "missing here"
UNKNOWN = "unknown"  # Wikidata's "unknown value" for a date
FIELDS = ("fact", "start", "end")

_ITEM = re.compile(r"http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)")
_PROPERTY = re.compile(
    r"http://www\.wikidata\.org/(?:entity|prop|prop/direct|prop/statement)/(P[1-9][0-9]*)")
# Wikidata writes years with a sign and more than four digits where needed; the day is enough.
_TZ = r"(?:Z|[+-][0-9]{2}:[0-9]{2})?"
_DATE = re.compile(r"\+?(-?[0-9]{4,})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                   r"(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?" + _TZ)
_PARTIAL = re.compile(r"(-?[0-9]{4,})(?:-(0[1-9]|1[0-2]))?" + _TZ)
_SUFFIXES = {".json": "json", ".srj": "json", ".ttl": "turtle"}


@dataclass(frozen=True)
class Statement:
    """One Wikidata statement: ``subject property object`` with its start and end days.

    ``start``/``end`` are ``YYYY-MM-DD``, ``"unknown"`` (Wikidata's unknown value) or None.
    """

    subject: URIRef
    property: str  # "P463" or "P39"
    object: URIRef
    start: str | None = None
    end: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.property, _qid_sort(self.subject), _qid_sort(self.object),
                self.start or "", self.end or "")


@dataclass(frozen=True)
class Row:
    """One compared value. ``fact`` is the graph's membership or tenure (None for a Wikidata
    statement with no counterpart here); ``statement`` is the Wikidata triple it maps to."""

    fact: URIRef | None
    what: str  # e.g. "Finland member of NATO"
    statement: str  # e.g. "wd:Q33 P463 wd:Q7184"
    field: str  # "start", "end" or "fact" (the statement as a whole)
    ours: str | None
    theirs: str | None
    status: str  # AGREE, DIFFERS, MISSING_IN_WIKIDATA or MISSING_HERE


def differences(rows: Iterable[Row]) -> bool:
    """True if any row is not an agreement."""
    return any(row.status != AGREE for row in rows)


# ---------------------------------------------------------------------------------------------
# Links from the graph to Wikidata


def _qid(iri: Node) -> str | None:
    match = _ITEM.fullmatch(str(iri)) if isinstance(iri, URIRef) else None
    return match.group(1) if match else None


def _qid_sort(iri: str) -> str:
    """QIDs in numeric order (Q16 before Q145), as a string key."""
    qid = _qid(URIRef(iri))
    return f"{len(qid):03d}{qid}" if qid else iri


def _links(graph: Graph) -> dict[URIRef, URIRef]:
    """Local entity -> its Wikidata item. Inferred inverse owl:sameAs (item -> entity) is
    skipped by requiring the subject not to be a Wikidata IRI itself."""
    found: dict[URIRef, list[URIRef]] = defaultdict(list)
    for s, o in graph.subject_objects(OWL.sameAs):
        if isinstance(s, URIRef) and _qid(s) is None and _qid(o) is not None:
            found[s].append(URIRef(str(o)))
    return {s: min(items, key=_qid_sort) for s, items in found.items()}


def _linked_of_type(graph: Graph, cls: URIRef, links: dict[URIRef, URIRef]) -> set[URIRef]:
    """Wikidata items of the instances of ``cls`` or its subclasses (the subclasses looked up
    here, so an unreasoned graph with the ontology works too)."""
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls)) | {cls}
    return {links[s] for c in classes for s in graph.subjects(RDF.type, c)
            if isinstance(s, URIRef) and s in links}


Triple = tuple[URIRef, URIRef, URIRef]


def _linked_facts(graph: Graph, links: dict[URIRef, URIRef], subjects: Iterable[Node],
                  left: URIRef, right: URIRef) -> list[Triple]:
    """(fact, x, y) for facts with ``left`` x and ``right`` y, both linked to Wikidata."""
    out = {(fact, x, y) for fact in subjects for x in graph.objects(fact, left)
           for y in graph.objects(fact, right)
           if isinstance(fact, URIRef) and x in links and y in links}
    return sorted(out)  # type: ignore[arg-type]  # x, y are URIRefs: they are keys of links


def _memberships(graph: Graph, links: dict[URIRef, URIRef]) -> list[Triple]:
    """(membership, member, organisation) with both ends linked."""
    return _linked_facts(graph, links, set(graph.subjects(ORG.member, None)), ORG.member,
                         ORG.organization)


def _tenures(graph: Graph, links: dict[URIRef, URIRef]) -> list[Triple]:
    """(tenure, holder, post) with both ends linked."""
    return _linked_facts(graph, links, set(graph.subjects(RDF.type, NATOEU.Tenure)),
                         NATOEU.holder, NATOEU.post)


def _values(var: str, items: Iterable[URIRef]) -> str:
    names = sorted({str(i) for i in items}, key=_qid_sort)
    body = "\n      ".join(" ".join(f"wd:{_qid(URIRef(n))}" for n in names[k:k + 8])
                           for k in range(0, len(names), 8))
    return f"VALUES ?{var} {{\n      {body}\n    }}" if names else f"VALUES ?{var} {{ }}"


def wikidata_query(graph: Graph) -> str:
    """SPARQL for the Wikidata Query Service: the P463 statements of the graph's linked states
    (and other linked members) in its linked organisations, and the P39 statements of its linked
    persons for its linked posts, with their P580/P582 qualifiers. Deterministic text.

    Pass the merged graph (ontology + data) so that subclasses of natoeu:State count as states.
    """
    links = _links(graph)
    memberships = _memberships(graph, links)
    tenures = _tenures(graph, links)
    # Every linked state, not only those with a membership here: a P463 statement of a state
    # that the graph has as a non-member is exactly a "missing here" finding.
    members = (_linked_of_type(graph, NATOEU.State, links)
               | {links[m] for _, m, _ in memberships})
    organisations = {links[o] for _, _, o in memberships}
    persons = (_linked_of_type(graph, NATOEU.Person, links)
               | {links[h] for _, h, _ in tenures})
    posts = _linked_of_type(graph, NATOEU.Post, links) | {links[p] for _, _, p in tenures}
    return f"""\
# natoeu-graph: Wikidata statements to reconcile with the graph (natoeu_graph.qa.reconcile).
# Run on https://query.wikidata.org/ and save the result as SPARQL JSON.
PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
PREFIX p: <{P}>
PREFIX ps: <{PS}>
PREFIX pq: <{PQ}>
PREFIX wikibase: <{WIKIBASE}>

SELECT ?subject ?property ?object ?start ?end WHERE {{
  {{
    {_values("subject", members)}
    {_values("object", organisations)}
    ?subject p:{MEMBER_OF} ?statement .
    ?statement ps:{MEMBER_OF} ?object .
    BIND(wdt:{MEMBER_OF} AS ?property)
  }} UNION {{
    {_values("subject", persons)}
    {_values("object", posts)}
    ?subject p:{POSITION_HELD} ?statement .
    ?statement ps:{POSITION_HELD} ?object .
    BIND(wdt:{POSITION_HELD} AS ?property)
  }}
  # a deprecated statement is one Wikidata itself marks as wrong
  ?statement wikibase:rank ?rank .
  FILTER(?rank != wikibase:DeprecatedRank)
  OPTIONAL {{ ?statement pq:{START} ?start . }}
  OPTIONAL {{ ?statement pq:{END} ?end . }}
}}
ORDER BY ?subject ?property ?object ?start ?end
"""


# ---------------------------------------------------------------------------------------------
# Reading saved results


def _day(value: str) -> str | None:
    match = _DATE.fullmatch(value.strip())
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def _fail(path: Path, reason: str, line: int | None = None, hint: str | None = None) -> InputError:
    return InputError(str(path), line, reason, hint=hint)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(path, f"too large ({size} bytes; limit {MAX_FILE_BYTES})")
        return path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot read file: {exc.strerror or exc}") from exc


def read_results(path: Path) -> list[Statement]:
    """The statements of a saved WDQS answer (JSON) or Wikidata-shaped Turtle, sorted."""
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _fail(path, f"unknown result format '{path.suffix}'",
                    hint="Save the WDQS answer as .json (SPARQL results) or .ttl.")
    data = _read_bytes(path)
    statements = _read_json(path, data) if kind == "json" else _read_turtle(path)
    return sorted(set(statements), key=Statement.key)


def _json_term(path: Path, where: str, var: str, spec: Any) -> tuple[str, str, str | None]:
    """(type, value, datatype) of one bound variable, checked for shape."""
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str) \
            or not isinstance(spec.get("value"), str):
        raise _fail(path, f"{where}: ?{var} is not a SPARQL JSON term "
                          "(an object with string 'type' and 'value')")
    datatype = spec.get("datatype")
    return spec["type"], spec["value"], datatype if isinstance(datatype, str) else None


def _json_item(path: Path, where: str, var: str, binding: dict[str, Any]) -> URIRef:
    if var not in binding:
        raise _fail(path, f"{where}: ?{var} is not bound",
                    hint="Save the result of wikidata_query(), which binds "
                         "?subject ?property ?object.")
    kind, value, _ = _json_term(path, where, var, binding[var])
    if kind != "uri" or _qid(URIRef(value)) is None:
        raise _fail(path, f"{where}: ?{var} must be a Wikidata item IRI "
                          f"({WD}Q...), got {kind} '{printable(value[:80])}'")
    return URIRef(value)


def _json_date(path: Path, where: str, var: str, binding: dict[str, Any]) -> str | None:
    if var not in binding:
        return None
    kind, value, datatype = _json_term(path, where, var, binding[var])
    if kind == "bnode" or (kind == "uri" and value.startswith(_GENID)):
        return UNKNOWN
    day = _day(value) if kind in ("literal", "typed-literal") and datatype in _DATE_TYPES \
        else None
    if day is None:
        shown = f"{kind} '{printable(value[:40])}'" + (f"^^<{datatype}>" if datatype else "")
        raise _fail(path, f"{where}: ?{var} must be an xsd:dateTime or xsd:date literal, "
                          f"got {shown}")
    return day


def _property_id(iri: str) -> str | None:
    match = _PROPERTY.fullmatch(iri)
    return match.group(1) if match else None


def _read_json(path: Path, data: bytes) -> list[Statement]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, "not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise _fail(path, f"invalid JSON: {exc.msg}", exc.lineno,
                    hint="Save the WDQS answer in SPARQL JSON (Download > JSON).") from exc
    except RecursionError as exc:
        raise _fail(path, "JSON nested too deeply") from exc
    results = doc.get("results") if isinstance(doc, dict) else None
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list):
        raise _fail(path, "not a SPARQL SELECT result: no results.bindings list",
                    hint="Expected {\"head\": ..., \"results\": {\"bindings\": [...]}}.")
    out = []
    for n, binding in enumerate(bindings, 1):
        where = f"result {n} of {len(bindings)}"
        if not isinstance(binding, dict):
            raise _fail(path, f"{where} is not an object of variable bindings")
        if "property" not in binding:
            raise _fail(path, f"{where}: ?property is not bound")
        kind, value, _ = _json_term(path, where, "property", binding["property"])
        prop = _property_id(value) if kind == "uri" else None
        if prop not in _PROPERTIES:
            raise _fail(path, f"{where}: ?property must be Wikidata's P463 or P39, got "
                              f"{kind} '{printable(value[:80])}'")
        out.append(Statement(
            _json_item(path, where, "subject", binding), prop,
            _json_item(path, where, "object", binding),
            _json_date(path, where, "start", binding), _json_date(path, where, "end", binding)))
    return out


def _turtle_date(path: Path, g: Graph, st: Node, qualifier: str) -> str | None:
    values = sorted(g.objects(st, URIRef(PQ + qualifier)), key=str)
    if len(values) > 1:
        raise _fail(path, f"statement {_show(st)} has {len(values)} pq:{qualifier} values; "
                          "one is expected")
    if not values:
        return None
    value = values[0]
    if isinstance(value, BNode) or str(value).startswith(_GENID):
        return UNKNOWN
    day = _day(str(value)) if isinstance(value, Literal) and \
        str(value.datatype) in _DATE_TYPES else None
    if day is None:
        raise _fail(path, f"statement {_show(st)}: pq:{qualifier} must be an xsd:dateTime or "
                          f"xsd:date literal, got {_show(value)}")
    return day


def _show(node: Node) -> str:
    return printable(node.n3()[:80]) if isinstance(node, (URIRef, BNode, Literal)) \
        else printable(str(node)[:80])


def _read_turtle(path: Path) -> list[Statement]:
    # as every --with file: Oxigraph's parser, linear in the input (rdflib's took 272 s on a
    # ''' literal of 4 million line breaks), size caps, checked terms, the deadline
    g = parse_external([str(path)])
    deprecated = URIRef(WIKIBASE + "DeprecatedRank")
    out: list[Statement] = []
    said: set[tuple[URIRef, str, URIRef]] = set()  # reified, deprecated included
    for prop in _PROPERTIES:
        claim, value = URIRef(P + prop), URIRef(PS + prop)
        pointed = set()
        for subject, st in sorted(g.subject_objects(claim), key=str):
            pointed.add(st)
            if _qid(subject) is None:
                raise _fail(path, f"p:{prop} on {_show(subject)}: the subject must be a "
                                  f"Wikidata item IRI ({WD}Q...)")
            objects = list(g.objects(st, value))
            if len(objects) != 1 or _qid(objects[0]) is None:
                raise _fail(path, f"statement {_show(st)} of {_show(subject)} must have exactly "
                                  f"one ps:{prop} value, a Wikidata item IRI; found "
                                  f"{', '.join(sorted(_show(o) for o in objects)) or 'none'}")
            obj = URIRef(str(objects[0]))
            said.add((URIRef(str(subject)), prop, obj))
            if (st, URIRef(WIKIBASE + "rank"), deprecated) in g:
                continue
            out.append(Statement(URIRef(str(subject)), prop, obj, _turtle_date(path, g, st, START),
                                 _turtle_date(path, g, st, END)))
        orphans = sorted(set(g.subjects(value, None)) - pointed, key=str)
        if orphans:
            raise _fail(path, f"statement {_show(orphans[0])} has ps:{prop} but no item points "
                              f"to it with p:{prop}")
    for prop in _PROPERTIES:
        for s, o in sorted(g.subject_objects(URIRef(WDT + prop)), key=str):
            if _qid(s) is None or _qid(o) is None:
                raise _fail(path, f"wdt:{prop} must link two Wikidata item IRIs, got "
                                  f"{_show(s)} and {_show(o)}")
            truthy = Statement(URIRef(str(s)), prop, URIRef(str(o)))
            if (truthy.subject, prop, truthy.object) not in said:
                out.append(truthy)
    if not out and not said:
        raise _fail(path, "no P463 or P39 statements found",
                    hint="Expected Wikidata's RDF shape: wd:Q.. p:P463 [ ps:P463 wd:Q.. ; "
                         "pq:P580 date ] (see natoeu_graph/qa/reconcile.py).")
    return out


# ---------------------------------------------------------------------------------------------
# Comparing


@dataclass(frozen=True)
class _Fact:
    iri: URIRef
    property: str
    subject: URIRef  # Wikidata items
    object: URIRef
    what: str
    start: str | None
    end: str | None


def _label(graph: Graph, node: Node) -> str:
    """English rdfs:label, else any label, else the local name; sorted, so deterministic."""
    labels = sorted(o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal))
    chosen = [o for o in labels if o.language == "en"] or labels
    if chosen:
        return str(chosen[0])
    qid = _qid(node)
    return f"wd:{qid}" if qid else str(node).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _our_date(graph: Graph, interval: Node, which: URIRef) -> str | None:
    """The instant's date as written (day, month or year precision); the earliest if several."""
    found = []
    for instant in graph.objects(interval, which):
        for prop in (TIME.inXSDDate, TIME.inXSDDateTimeStamp, TIME.inXSDDateTime):
            found += [d for v in graph.objects(instant, prop) if (d := _day(str(v)))]
        for prop in (TIME.inXSDgYearMonth, TIME.inXSDgYear):
            found += [f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
                      for v in graph.objects(instant, prop)
                      if (m := _PARTIAL.fullmatch(str(v)))]
    return min(found) if found else None


def _facts(graph: Graph, links: dict[URIRef, URIRef]) -> list[_Fact]:
    out = []
    kinds = ((MEMBER_OF, _memberships(graph, links), ORG.memberDuring, "member of"),
             (POSITION_HELD, _tenures(graph, links), NATOEU.during, "as"))
    for prop, facts, during, verb in kinds:
        for iri, subject, obj in facts:
            intervals = sorted(graph.objects(iri, during), key=str)
            starts = [d for i in intervals if (d := _our_date(graph, i, TIME.hasBeginning))]
            ends = [d for i in intervals if (d := _our_date(graph, i, TIME.hasEnd))]
            out.append(_Fact(iri, prop, links[subject], links[obj],
                             f"{_label(graph, subject)} {verb} {_label(graph, obj)}",
                             min(starts, default=None), min(ends, default=None)))
    return out


def _ordinal(day: str | None) -> int | None:
    """Days since year 1 (first day of a partial date), for the distance between starts."""
    if day is None or day == UNKNOWN:
        return None
    parts = day.split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                    int(parts[2]) if len(parts) > 2 else 1).toordinal()
    except (ValueError, IndexError, OverflowError):  # BCE or beyond year 9999: no neighbour is
        # that far off (a year of twenty digits does not even fit a C long)
        return None


def _same(ours: str, theirs: str) -> bool:
    # ours may be a year or a month: compare at the precision the graph has
    return theirs == ours or (len(ours) < 10 and theirs.startswith(ours + "-"))


def _status(ours: str | None, theirs: str | None) -> str:
    if ours is None and theirs is None:
        return AGREE
    if theirs is None:
        return MISSING_IN_WIKIDATA
    if ours is None:
        return MISSING_HERE
    return AGREE if _same(ours, theirs) else DIFFERS


def _period(start: str | None, end: str | None) -> str:
    return f"{start or '..'}/{end or '..'}"


def _pairs(ours: list[_Fact], theirs: list[Statement]) -> list[tuple[int, int]]:
    """Match each fact to the Wikidata statement with the closest start, one to one (greedy on
    the distance in days; pairs where a start is missing come last)."""
    costs = []
    for i, fact in enumerate(ours):
        for j, st in enumerate(theirs):
            a, b = _ordinal(fact.start), _ordinal(st.start)
            costs.append(((0, abs(a - b)) if a is not None and b is not None else (1, 0), i, j))
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _, i, j in sorted(costs):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j))
    return out


def reconcile(graph: Graph, statements: Iterable[Statement]) -> list[Row]:
    """Compare the graph's linked memberships and tenures with Wikidata statements.

    Per matched pair, a "start" and an "end" row; a fact with no statement gives a "fact" row
    "missing in Wikidata", a statement with no fact a "fact" row "missing here". Statements about
    items the graph does not link are still reported (named by QID), never dropped.
    """
    links = _links(graph)
    local = {item: s for s, item in sorted(links.items(), reverse=True)}  # lowest IRI wins
    ours: dict[tuple[str, str, str], list[_Fact]] = defaultdict(list)
    for fact in _facts(graph, links):
        ours[(fact.property, fact.subject, fact.object)].append(fact)
    theirs: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    for st in sorted(set(statements), key=Statement.key):
        theirs[(st.property, st.subject, st.object)].append(st)

    rows = []
    for key in set(ours) | set(theirs):
        prop, subject, obj = key
        statement = f"wd:{_qid(URIRef(subject))} {prop} wd:{_qid(URIRef(obj))}"
        facts = sorted(ours.get(key, []), key=lambda f: (f.start or "", f.iri))
        found = theirs.get(key, [])
        pairs = _pairs(facts, found)
        for i, j in pairs:
            fact, st = facts[i], found[j]
            for field, a, b in (("start", fact.start, st.start), ("end", fact.end, st.end)):
                rows.append(Row(fact.iri, fact.what, statement, field, a, b, _status(a, b)))
        matched_i = {i for i, _ in pairs}
        matched_j = {j for _, j in pairs}
        for i, fact in enumerate(facts):
            if i not in matched_i:
                rows.append(Row(fact.iri, fact.what, statement, "fact",
                                _period(fact.start, fact.end), None, MISSING_IN_WIKIDATA))
        for j, st in enumerate(found):
            if j not in matched_j:
                verb = "member of" if prop == MEMBER_OF else "as"
                what = (f"{_label(graph, local.get(URIRef(subject), URIRef(subject)))} {verb} "
                        f"{_label(graph, local.get(URIRef(obj), URIRef(obj)))}")
                rows.append(Row(None, what, statement, "fact", None,
                                _period(st.start, st.end), MISSING_HERE))
    return sorted(rows, key=lambda r: (r.what, r.statement, str(r.fact or ""),
                                       FIELDS.index(r.field), r.ours or "", r.theirs or "",
                                       r.status))
