"""Oxigraph's answers written in the CLI's formats, byte for byte as sparql.results writes them
from rdflib's terms, without rdflib (the warm path must not load it).

``results.format_result`` formats rdflib terms: a literal shows its lexical form (the project
keeps literals as written: core.namespaces turns rdflib's normalisation off), IRIs are shortened
by rdflib's namespace manager, graphs are written by rdflib's Turtle, N-Triples and JSON-LD
serialisers. This module does the same from pyoxigraph's terms, as core.oxterms would convert
them, for the cases it can prove alike; anything else raises ``Unsure`` and the caller formats
through rdflib instead (the full command), so that an answer never depends on which path wrote
it. tests/sparql/test_oxformat.py compares the two on the graph's answers in every format.
Unsure cases: IRIs rdflib refuses to write, RDF collections, predicates of a namespace with no
prefix (rdflib would invent ``ns1:``), object lists whose order rdflib's literal ordering
leaves open (or that mix times and durations, which it orders by Python values), ASK as CSV or
TSV, RDF 1.2 triple terms and base directions.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = _RDF + "type"
RDF_NIL = _RDF + "nil"
RDF_FIRST = _RDF + "first"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_CLASS = "http://www.w3.org/2000/01/rdf-schema#Class"
XSD_STRING = _XSD + "string"

_INTEGERS = frozenset(_XSD + t for t in (
    "integer", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "positiveInteger"))
# the datatypes rdflib converts to Python values and back (rdflib.term.XSDToPython; a test
# keeps the two equal): their lexical forms may be rewritten
CONVERTED = _INTEGERS | frozenset(_XSD + t for t in (
    "anyURI", "base64Binary", "boolean", "date", "dateTime", "dayTimeDuration", "decimal",
    "double", "duration", "float", "hexBinary", "language", "normalizedString", "string",
    "time", "token", "yearMonthDuration")) | frozenset(
    _RDF + t for t in ("HTML", "XMLLiteral"))
_INVALID_IRI = re.compile('[<>" {}|\\\\^`]')
# rdflib's namespace splitting (rdflib.namespace.split_uri)
_NAME_START = frozenset(("Ll", "Lu", "Lo", "Lt", "Nl"))
_SPLIT_START = _NAME_START | {"Nd"}
_NAME = _NAME_START | {"Mc", "Me", "Mn", "Lm", "Nd"}
_NAME_CHARS = frozenset("\u00b7\u0387-._%()")
_XMLNS = "http://www.w3.org/XML/1998/namespace"
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Unsure(Exception):
    """This answer cannot be written here exactly as rdflib would write it."""


# ---- terms -----------------------------------------------------------------------------------
# A term as rdflib would hold it: ("uri", iri) / ("bnode", id) /
# ("literal", lexical as rdflib shows it, datatype or None, language or None)
Term = tuple[Any, ...]


def term(t: Any) -> Term | None:
    """A pyoxigraph term as core.oxterms.to_rdflib would make it (xsd:string literals plain)."""
    if t is None:
        return None
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value)
    if not isinstance(t, ox.Literal) or getattr(t, "direction", None) is not None:
        raise Unsure("a triple term or a literal with a base direction")
    if t.language:
        return ("literal", t.value, None, t.language)
    dt = t.datatype.value
    if dt == XSD_STRING:
        return ("literal", t.value, None, None)
    return ("literal", t.value, dt, None)


def _iri(iri: str) -> str:
    if _INVALID_IRI.search(iri):
        raise Unsure(f"rdflib refuses to write the IRI <{iri}>")
    return iri


def _quote(text: str) -> str:
    """rdflib's Literal._quote_encode (Turtle and TSV)."""
    if "\n" in text:
        encoded = text.replace("\\", "\\\\")
        if '"""' in text:
            encoded = encoded.replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + "\\" + '"'
        return '"""' + encoded.replace("\r", "\\r") + '"""'
    escaped = text.replace("\n", "\\n").replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r") + '"'


def n3(t: Term) -> str:
    """rdflib's Node.n3() without a namespace manager (TSV cells)."""
    if t[0] == "uri":
        return f"<{_iri(t[1])}>"
    if t[0] == "bnode":
        return f"_:{t[1]}"
    _, text, dt, lang = t
    if lang:
        return f"{_quote(text)}@{lang}"
    return f"{_quote(text)}^^<{dt}>" if dt else _quote(text)


# ---- prefixed names (rdflib's NamespaceManager over the project's bindings) -------------------

def split_iri(iri: str) -> tuple[str, str]:
    """rdflib.namespace.split_uri: namespace and local name, or ValueError."""
    if iri.startswith(_XMLNS):
        return _XMLNS, iri.split(_XMLNS)[1]
    length = len(iri)
    for i in range(length):
        c = iri[-i - 1]
        if unicodedata.category(c) not in _NAME:
            if c in _NAME_CHARS:
                continue
            for j in range(-1 - i, length):
                if unicodedata.category(iri[j]) in _SPLIT_START or iri[j] == "_":
                    ns = iri[:j]
                    if not ns:
                        break
                    return ns, iri[j:]
            break
    raise ValueError(iri)


class Names:
    """Prefixed names from fixed bindings (prefix -> namespace), as rdflib's namespace manager
    gives them for a graph with these bindings only (core.namespaces.new_graph). rdflib also
    prefers the longest bound namespace; no binding here extends another (a test checks)."""

    def __init__(self, bindings: dict[str, str]) -> None:
        self.prefix_of = {ns: p for p, ns in bindings.items()}

    def short(self, iri: str) -> str:
        """NamespaceManager.normalizeUri, as results.to_table calls it (errors: the IRI)."""
        try:
            ns, name = split_iri(iri)
        except ValueError:
            return f"<{iri}>"
        prefix = self.prefix_of.get(ns)
        if prefix is None:
            return f"<{iri}>"
        if _INVALID_IRI.search(iri):
            return iri  # compute_qname raises; to_table shows the term as it is
        return f"{prefix}:{name}"

    def qname(self, iri: str) -> tuple[str, str, str] | None:
        """NamespaceManager.compute_qname(generate=False), or None where it raises."""
        if _INVALID_IRI.search(iri):
            return None
        try:
            ns, name = split_iri(iri)
        except ValueError:
            prefix = self.prefix_of.get(iri)
            return (prefix, iri, "") if prefix else None
        prefix = self.prefix_of.get(ns)
        return (prefix, ns, name) if prefix else None


# ---- SELECT and ASK --------------------------------------------------------------------------

def rows_text(names: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str,
              bindings: dict[str, str]) -> str:
    """results.format_result for a SELECT answer (pyoxigraph terms, None where unbound)."""
    table = [[term(t) for t in row] for row in rows]
    if fmt == "json":
        out = [{n: json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
               for row in table]
        return json.dumps({"head": {"vars": list(names)}, "results": {"bindings": out}},
                          indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":  # rdflib's CSV serialiser: the csv module's defaults
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=",")
        writer.writerow(names)
        writer.writerows([_csv_cell(t) for t in row] for row in table)
        return buf.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join("" if t is None else n3(t) for t in row) for row in table]
        return "\n".join(lines) + "\n"
    return _table(names, table, Names(bindings)) + "\n"


def ask_text(answer: bool, fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": answer}, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        raise Unsure("an ASK answer as CSV or TSV")
    return ("true" if answer else "false") + "\n"


def json_term(t: Term) -> dict[str, str]:
    """A term of SPARQL JSON results, as results._term_json writes rdflib's."""
    if t[0] == "uri":
        return {"type": "uri", "value": t[1]}
    if t[0] == "bnode":
        return {"type": "bnode", "value": t[1]}
    out = {"type": "literal", "value": t[1]}
    if t[3]:
        out["xml:lang"] = t[3]
    elif t[2]:
        out["datatype"] = t[2]
    return out


def _csv_cell(t: Term | None) -> str:
    if t is None:
        return ""
    return f"_:{t[1]}" if t[0] == "bnode" else t[1]


def _table(names: Sequence[str], table: list[list[Term | None]], ns: Names) -> str:
    def show(t: Term | None) -> str:
        if t is None:
            return ""
        return ns.short(t[1]) if t[0] == "uri" else t[1]

    rows = [[show(t).replace("\n", " ") for t in row] for row in table]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


# ---- CONSTRUCT and DESCRIBE ------------------------------------------------------------------

Triple = tuple[Term, Term, Term]


def graph_text(triples: Iterable[tuple[Any, Any, Any]], fmt: str,
               bindings: dict[str, str]) -> str:
    """results.format_result for a graph answer: Turtle (also for a SELECT-only format),
    N-Triples or JSON-LD, each in its canonical order."""
    graph: dict[Triple, None] = {}
    for s, p, o in triples:
        ts, tp, to = term(s), term(p), term(o)
        assert ts is not None and tp is not None and to is not None
        graph[(ts, tp, to)] = None
    if any(p[1] == RDF_FIRST for _, p, _ in graph):
        raise Unsure("an RDF collection")
    if fmt == "nt":
        return "".join(sorted(_nt_row(t) for t in graph))
    if fmt == "jsonld":
        return _jsonld(list(graph))
    return _Turtle(list(graph), Names(bindings)).text()


def canonical_nt(text: str) -> str:
    """N-Triples lines in sorted order: rdflib writes them in the order of its store's sets,
    which changes from run to run."""
    return "".join(sorted(line + "\n" for line in text.split("\n") if line))


def canonical_jsonld(doc: Any) -> str:
    """rdflib's JSON-LD (a list of node objects) in a fixed order: nodes by @id, each node's
    values by their JSON text (rdflib's order comes from its store's sets); @list order kept."""
    def key(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    if isinstance(doc, list):
        doc = sorted(doc, key=lambda node: str(node.get("@id", "")) if isinstance(node, dict)
                     else key(node))
        for node in doc:
            if isinstance(node, dict):
                for k, v in node.items():
                    if isinstance(v, list):
                        node[k] = sorted(v, key=key)
    return json.dumps(doc, indent=2, separators=(",", ": "), sort_keys=True,
                      ensure_ascii=False)


def _nt_row(t: Triple) -> str:
    s, p, o = t
    if o[0] == "literal":
        escaped = o[1].replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        encoded = '"' + escaped.replace("\r", "\\r") + '"'
        obj = f"{encoded}@{o[3]}" if o[3] else f"{encoded}^^<{o[2]}>" if o[2] else encoded
    else:
        obj = n3(o)
    return f"{n3(s)} {n3(p)} {obj} .\n"


def _jsonld(triples: list[Triple]) -> str:
    """rdflib's JSON-LD serialiser without a context (jsonld.from_rdf), in the canonical
    order that results.format_result gives it."""
    by_subject: dict[Term, list[tuple[Term, Term]]] = {}
    objects = set()
    for s, p, o in triples:
        by_subject.setdefault(s, []).append((p, o))
        objects.add(o)
    nodes: dict[str, dict[str, Any]] = {}

    def node_id(t: Term) -> str:
        return _iri(t[1]) if t[0] == "uri" else f"_:{t[1]}"

    def visit(s: Term) -> None:
        key = node_id(s)
        if key in nodes:
            return
        node: dict[str, Any] = {"@id": key}
        nodes[key] = node
        for p, o in by_subject.get(s, []):
            if p[1] == RDF_TYPE and o[0] == "uri":
                node.setdefault("@type", []).append(_iri(o[1]))
                continue
            if p[1] == RDF_TYPE:
                raise Unsure("a class that is not an IRI")
            node.setdefault(_iri(p[1]), []).append(raw(o))

    def raw(o: Term) -> Any:
        if o == ("uri", RDF_NIL):
            return {"@list": []}
        if o[0] == "bnode":
            visit(o)
            return {"@id": f"_:{o[1]}"}
        if o[0] == "uri":
            return {"@id": _iri(o[1])}
        _, text, dt, lang = o
        if dt:
            value: Any = text
            if dt in (_XSD + "integer", _XSD + "boolean", _XSD + "double"):
                # rdflib writes their Python values (json's repr of a float)
                if not _PLAIN[dt].fullmatch(text):
                    raise Unsure(f"an ill-typed {dt} in JSON-LD")
                value = int(text) if dt.endswith("integer") else text == "true" \
                    if dt.endswith("boolean") else float(text)
            return {"@type": dt, "@value": value}
        return {"@language": lang, "@value": text} if lang else {"@value": text}

    for s in by_subject:
        if s[0] == "uri" or s not in objects:
            visit(s)
    return canonical_jsonld(list(nodes.values()))


# ---- Turtle: rdflib's TurtleSerializer, step by step -------------------------------------------

_ORDER = {"bnode": 10, "uri": 30, "literal": 40}
# the types rdflib writes bare in Turtle, and the lexical forms this module writes so
_PLAIN = {_XSD + "integer": re.compile(r"[+-]?[0-9]+"), _XSD + "boolean": re.compile("true|false"),
          _XSD + "decimal": re.compile(r"[+-]?[0-9]+(\.[0-9]+)?"),
          _XSD + "double": re.compile(r"[+-]?(INF|NaN|[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?)")}
_NUMERIC = _INTEGERS | {_XSD + "decimal", _XSD + "double", _XSD + "float"}


def _value(t: Term) -> Any:
    """The Python value rdflib gives a literal (None where it has none), for ordering."""
    text, dt = t[1], t[2]
    if dt is None:
        return text
    if dt in _INTEGERS:
        return int(text)
    if dt == _XSD + "decimal":
        return Decimal(text)
    if dt in (_XSD + "double", _XSD + "float"):
        return float(text)
    if dt == _XSD + "boolean":
        return text == "true"
    if dt == _XSD + "date":
        import datetime

        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None  # ill-typed: rdflib compares the lexical forms
    if dt in CONVERTED:
        raise Unsure(f"the order of {dt} values")
    return None


def _literal_gt(a: Term, b: Term) -> bool:
    """rdflib's Literal.__gt__ for the literals this module writes."""
    va, vb = _value(a), _value(b)
    if a[2] in _NUMERIC and b[2] in _NUMERIC and va is not None and vb is not None:
        return bool(va > vb)
    dta, dtb = a[2] or XSD_STRING, b[2] or XSD_STRING
    if dta != dtb:
        return bool(dta > dtb)
    if a[3] != b[3]:
        if not a[3]:
            return False
        if not b[3]:
            return True
        return bool(a[3] > b[3])
    if va is not None and vb is not None:
        try:
            return bool(va > vb)
        except TypeError:
            pass
    if a[1] != b[1]:
        return a[1] > b[1]
    return False  # the same term (plain and xsd:string are one kind here)


def _compare(a: Term, b: Term) -> int:
    """rdflib's Node ordering (BNode < URIRef < Literal; literals as above), for sorting."""
    if a[0] != b[0]:
        return -1 if _ORDER[a[0]] < _ORDER[b[0]] else 1
    if a[0] != "literal":
        return (a[1] > b[1]) - (a[1] < b[1])
    if _literal_gt(a, b):
        return 1
    if _literal_gt(b, a):
        return -1
    if a != b:  # rdflib leaves their order to its (unordered) store
        raise Unsure("two literals rdflib orders as equal")
    return 0


_KEY = functools.cmp_to_key(_compare)


class _Turtle:
    """The port of rdflib's TurtleSerializer (plugins/serializers/turtle.py) for a graph
    without collections or base, every predicate in a bound namespace."""

    def __init__(self, triples: list[Triple], names: Names) -> None:
        self.names = names
        self.props: dict[Term, dict[Term, list[Term]]] = {}
        self.refs: dict[Term, int] = {}
        self.namespaces: dict[str, str] = {}
        self.done: set[Term] = set()
        self.depth = 0
        self.out: list[str] = []
        for s, p, o in triples:
            self.props.setdefault(s, {}).setdefault(p, []).append(o)
            self.refs[o] = self.refs.get(o, 0) + 1
            for i, node in enumerate((s, p, o)):
                if i == 1 and node[1] == RDF_TYPE:
                    continue
                if i == 1 and node[0] == "uri" and self.names.qname(node[1]) is None:
                    try:
                        split_iri(node[1])
                    except ValueError:
                        pass
                    else:  # rdflib would invent a prefix (ns1:...) for it
                        raise Unsure(f"a predicate in a namespace with no prefix: {node[1]}")
                self.pname(node)
                if node[0] == "literal" and node[2]:
                    self.pname(("uri", node[2]))

    def pname(self, node: Term) -> str | None:
        if node[0] != "uri":
            return None
        parts = self.names.qname(node[1])
        if parts is None:
            return None
        prefix, ns, local = parts
        local = local.replace("(", r"\(").replace(")", r"\)")
        local = _PERCENT.sub(r"\\%", local)
        if local.endswith("."):
            return None
        self.namespaces[prefix] = ns
        return f"{prefix}:{local}"

    def text(self) -> str:
        classes = sorted((s for s, props in self.props.items()
                          if ("uri", RDFS_CLASS) in props.get(("uri", RDF_TYPE), [])), key=_KEY)
        top = set(classes)
        rest = sorted((s for s in self.props if s not in top),
                      key=lambda s: (s[0] == "bnode", self.refs.get(s, 0), _KEY(s)))
        subjects = classes + rest
        head = [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(self.namespaces.items())]
        for s in subjects:
            if s in self.done:
                continue
            self.statement(s)
            self.out.append("\n")
        return "".join(head) + "".join(self.out) + "\n"

    def indent(self, modifier: int = 0) -> str:
        return (self.depth + modifier) * "    "

    def statement(self, s: Term) -> None:
        self.done.add(s)
        if self.refs.get(s, 0) == 0 and s[0] == "bnode":
            self.out.append("\n" + self.indent() + "[]")
        else:
            self.out.append("\n" + self.indent())
            self.path(s, 0)
        self.predicate_list(s)
        self.out.append(" .")

    def path(self, node: Term, position: int, newline: bool = False) -> None:
        if node[0] == "bnode" and node not in self.done and self.refs.get(node, 0) <= 1 \
                and position != 0:
            if not newline:
                self.out.append(" ")
            self.done.add(node)
            self.depth += 2
            self.out.append("[")
            self.depth -= 1
            self.predicate_list(node)
            self.out.append(" ]")
            self.depth -= 1
            return
        if position != 0 and not newline:
            self.out.append(" ")
        self.out.append(self.label(node, position))

    def label(self, node: Term, position: int) -> str:
        if node == ("uri", RDF_NIL):
            return "()"
        if position == 1 and node == ("uri", RDF_TYPE):
            return "a"
        if node[0] == "literal":
            return self.literal(node)
        return self.pname(node) or n3(node)

    def literal(self, node: Term) -> str:
        """rdflib's Literal._literal_n3(use_plain=True) with prefixed datatypes."""
        _, text, dt, lang = node
        if dt in _PLAIN:
            if not _PLAIN[dt].fullmatch(text):
                raise Unsure(f"an ill-typed {dt} in Turtle")
            if dt.endswith("decimal"):
                return text if "." in text else text + ".0"
            if dt.endswith("double"):
                value = float(text)
                if math.isfinite(value):
                    return re.sub(r"\.?0*e", "e", f"{value:e}")
            else:
                return text
        encoded = _quote(text)
        if lang:
            return f"{encoded}@{lang}"
        if dt:
            return f"{encoded}^^{self.pname(('uri', dt)) or f'<{dt}>'}"
        return encoded

    def predicate_list(self, s: Term) -> None:
        props = self.props.get(s, {})
        if not props:
            return
        order = [p for p in (("uri", RDF_TYPE), ("uri", RDFS_LABEL)) if p in props]
        order += sorted((p for p in props if p not in order), key=_KEY)
        for k, p in enumerate(order):
            if k:
                self.out.append(" ;\n" + self.indent(1))
            self.path(p, 1, newline=bool(k))
            objects = sorted(props[p], key=_KEY)
            # rdflib: depthmod = (count == 1) and 0 or 1, which is 1 whatever the count
            self.depth += 1
            self.path(objects[0], 2)
            for o in objects[1:]:
                self.out.append(",\n" + self.indent(1))
                self.path(o, 2, newline=True)
            self.depth -= 1
