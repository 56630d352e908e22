"""Parse RDF files into graphs, with errors that name the file and line."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..core.errors import InputError
from ..core.namespaces import new_graph
from ..core.oxterms import to_rdflib

# Characters that make an IRI unserialisable in Turtle/N-Triples (rdflib accepts them on parse,
# then fails on every later save).
# Also C1 controls (not in RFC 3987's ucschar), U+2028/2029 (rdflib's N-Triples parser splits
# lines there: found by tests/pipeline/test_fuzz.py), noncharacters and unpaired surrogates.
_BAD_IRI_CHARS = re.compile(
    r'[\x00-\x20<>"{}|^`\\\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]')
# C0 controls other than tab, LF and CR cannot be written in XML 1.0: an RDF/XML export (the
# server's, or a consumer's) of such a literal is unparseable. Unpaired
# surrogates ("\ud800" escapes, found by tests/pipeline/test_fuzz.py) cannot be written as
# UTF-8 at all; U+FFFE and U+FFFF are not XML characters either.
_BAD_LITERAL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# rdflib checks xsd:date, integers, booleans ... but not these (ill_typed is None for them), and
# the data dates facts with them where only a year or month is known.
_TZ = r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?([1-9]\d{3,}|0\d{3})"
_LEXICAL = {
    XSD.gYear: re.compile(_YEAR + _TZ),
    XSD.gYearMonth: re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _TZ),
}

SubjectFiles = dict[URIRef, str]
Triples = list[tuple[Node, Node, Node]]


def ill_typed(term: Literal) -> bool:
    """True if the literal's text is not in its datatype's lexical space."""
    if term.ill_typed:
        return True
    pattern = _LEXICAL.get(term.datatype) if term.datatype is not None else None
    return pattern is not None and pattern.fullmatch(str(term)) is None


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def parse_turtle(path: Path, display: str | None = None) -> Graph:
    """Parse one Turtle file; raise InputError naming the file and line on any problem.

    Oxigraph's parser reads it (linear time, and 15-30x faster than rdflib's on the project's
    files; tests/pipeline/test_parse.py shows both give the same triples), into rdflib terms.
    """
    g = new_graph()
    g.addN((s, p, o, g) for s, p, o in read_turtle(path, display))
    return g


def read_turtle(path: Path, display: str | None = None) -> Triples:
    """The triples of one Turtle file, each once, checked as parse_turtle checks them."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(name, None, f"cannot read file: {exc}") from exc
    triples = list(dict.fromkeys(_parse_bytes(path, raw, "turtle", name)))
    check_terms(triples, name, text)
    return triples


def invalid_iri(iri: str) -> bool:
    """True for an IRI that cannot be written in Turtle or N-Triples."""
    return _BAD_IRI_CHARS.search(iri) is not None


def printable(text: str) -> str:
    """Control characters escaped, so an error message cannot garble the terminal."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)


def check_terms(g: Iterable[tuple[Node, Node, Node]], name: str, text: str = "") -> None:
    """Reject IRIs that cannot be serialised and literals that are not of their datatype."""
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and _BAD_IRI_CHARS.search(str(term)):
                raise InputError(
                    name, _line_of(text, str(term).split(" ")[0]),
                    f"invalid IRI <{printable(term)}> (spaces, control characters and "
                    "<>\"{}|^`\\ are not allowed)",
                    hint="Percent-encode the character or fix the typo.",
                )
            control = _BAD_LITERAL_CHARS.search(term) if isinstance(term, Literal) else None
            if control is not None:
                char = control.group()
                raise InputError(
                    name, _line_of(text, str(term).split(char)[0] or str(term)),
                    f"literal contains the character U+{ord(char):04X} (a control character or "
                    f"an unpaired surrogate): {str(term)[:40]!r}",
                    hint="Remove it; of the control characters only tab, line feed and carriage "
                    "return are allowed.",
                )
            if isinstance(term, Literal) and ill_typed(term):
                raise InputError(
                    name, _line_of(text, f'"{term}"'),
                    f'ill-typed literal "{term}"^^<{term.datatype}>',
                    hint="Write the value in the datatype's lexical form, e.g. 2016-07-08 for "
                    "xsd:date.",
                )


def _blank_parents(g: Iterable[tuple[Node, Node, Node]],
                   name: str) -> dict[BNode, tuple[Node, Node]]:
    """Each blank node's one incoming (subject, predicate); raise if blank nodes are shared or
    form a cycle, which only `_:label` syntax can write (Turtle's [ ] and ( ) make trees)."""
    parents: dict[BNode, tuple[Node, Node]] = {}
    for s, p, o in g:
        if isinstance(o, BNode):
            if o in parents:
                first = parents[o][0]
                raise InputError(
                    name, None,
                    f"a blank node is the object of two triples (of {_name(first)} and "
                    f"{_name(s)}); blank nodes must form trees",
                    hint="Give the shared node an IRI, or write it once "
                    "with [ ].")
            parents[o] = (s, p)
    for start in parents:
        node: Node = start
        seen: set[Node] = set()
        while isinstance(node, BNode) and node in parents:
            if node in seen:
                raise InputError(name, None, "blank nodes form a cycle; they must form trees",
                                 hint="Give one node of the cycle an IRI.")
            seen.add(node)
            node = parents[node][0]
    return parents


def _name(node: Node) -> str:
    return "a blank node" if isinstance(node, BNode) else node.n3(new_graph().namespace_manager)


def canonical_bnodes(g: Graph, name: str = "graph") -> Graph:
    """``g`` with its blank nodes relabelled by canonical_triples (a new graph)."""
    triples = canonical_triples(list(g), name)
    if not any(isinstance(t, BNode) for triple in triples for t in triple):
        return g
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in triples)
    return out


def canonical_triples(g: Triples, name: str = "graph") -> Triples:
    """Relabel blank nodes deterministically, so the same input gives byte-identical exports.

    ``g`` holds each triple once. In linear time: rdflib's canonicaliser is exponential on
    symmetric input (40 identical [ ] siblings took 39 s). Blank nodes form trees
    (``_blank_parents``), so a node's label hashes its parent's label or IRI, the linking
    predicate and its own subtree; identical siblings are interchangeable and are simply
    numbered.
    """
    parents = _blank_parents(g, name)
    children: dict[BNode, list[tuple[Node, Node]]] = {}
    for s, p, o in g:
        if isinstance(s, BNode):
            children.setdefault(s, []).append((p, o))
    blanks: set[BNode] = set(parents) | set(children)
    if not blanks:
        return g

    def depth(node: BNode) -> int:
        d = 0
        parent: Node = node
        while isinstance(parent, BNode) and parent in parents:
            parent = parents[parent][0]
            d += 1
        return d

    order = sorted(blanks, key=depth)
    content: dict[Node, str] = {}
    for node in reversed(order):  # leaves first
        lines = sorted(f"{p.n3()} {'_:' + content[o] if isinstance(o, BNode) else o.n3()}"
                       for p, o in children.get(node, []))
        content[node] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    label: dict[Node, BNode] = {}
    taken: dict[str, int] = {}
    for node in order:  # roots first, so a parent is labelled before its children
        key = content[node]
        if node in parents:
            parent, pred = parents[node]
            parent_key = label[parent] if isinstance(parent, BNode) else parent.n3()
            key = f"{parent_key} {pred.n3()} {key}"
        n = taken[key] = taken.get(key, -1) + 1
        label[node] = BNode("b" + hashlib.sha256(f"{key} {n}".encode()).hexdigest()[:32])
    return [(label.get(s, s), p, label.get(o, o)) for s, p, o in g]


def parse_files(
    paths: Iterable[Path], root: Path | None = None
) -> tuple[Graph, SubjectFiles]:
    """Parse files into one graph; also return the file that holds each IRI subject: the one that
    types it (ne:FIN lives in states.ttl, not links.ttl), else the first that describes it."""
    triples, origin = read_files(paths, root)
    g = new_graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return g, origin


def read_files(paths: Iterable[Path], root: Path | None = None) -> tuple[Triples, SubjectFiles]:
    """parse_files' triples (each once) and subject files, without building a graph."""
    out: dict[tuple[Node, Node, Node], None] = {}
    origin: SubjectFiles = {}
    typed: set[URIRef] = set()
    for path in paths:
        display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        part = read_turtle(path, display)
        _blank_parents(part, display)  # here, where the file is known
        for s, p, _ in part:
            if isinstance(s, URIRef):
                origin.setdefault(s, display)
                if p == RDF.type and s not in typed:
                    typed.add(s)
                    origin[s] = display
        out.update(dict.fromkeys(part))
    return list(out), origin


# rdflib format name -> (pyoxigraph RdfFormat member, the name in messages)
OXIGRAPH_FORMATS = {"turtle": ("TURTLE", "Turtle"), "nt": ("N_TRIPLES", "N-Triples"),
                    "trig": ("TRIG", "TriG"), "nquads": ("N_QUADS", "N-Quads")}


def parse_oxigraph(path: Path, data: bytes, fmt: str = "turtle", into: Graph | None = None,
                   every: Callable[[], None] | None = None) -> Graph:
    """Parse with Oxigraph's parser, whose time is linear in the input (rdflib's grows with the
    square of the line breaks inside one literal), into rdflib terms in ``into`` (default a new
    graph; named graphs are merged). A syntax error names the file and line. ``every()`` runs
    every 4096 triples, e.g. to stop at a deadline."""
    g = new_graph() if into is None else into
    g.addN((s, p, o, g) for s, p, o in _parse_bytes(path, data, fmt, str(path), every))
    return g


def _parse_bytes(path: Path, data: bytes, fmt: str, name: str,
                 every: Callable[[], None] | None = None) -> Triples:
    import pyoxigraph as ox

    member, label = OXIGRAPH_FORMATS[fmt]
    terms: dict[object, Node] = {}  # each distinct term converted once

    def term(t: object) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = to_rdflib(t)
        return found

    triples = []
    try:
        for n, quad in enumerate(ox.parse(data, format=getattr(ox.RdfFormat, member),
                                          base_iri=path.resolve().as_uri())):
            if every is not None and n % 4096 == 0:
                every()
            triples.append((term(quad.subject), term(quad.predicate), term(quad.object)))
    except SyntaxError as exc:
        reason = printable((exc.msg or str(exc)).partition(": ")[2] or str(exc))  # after "line N: "
        raise InputError(name, exc.lineno, f"{label} syntax error: {reason}",
                         hint="Fix the file at that line.") from None
    return triples
