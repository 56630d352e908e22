"""Parse RDF files into graphs, with errors that name the file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import _TripleCanonicalizer
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import InputError
from .namespaces import PREFIXES

# Characters that make an IRI unserialisable in Turtle/N-Triples (rdflib accepts them on parse,
# then fails on every later save: security.md 2.10).
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')

SubjectFiles = dict[URIRef, str]


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound, so exports never show ns1:."""
    g = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return None if pos < 0 else text.count("\n", 0, pos) + 1


def parse_turtle(path: Path, display: str | None = None) -> Graph:
    """Parse one Turtle file; raise InputError naming the file and line on any problem."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(name, None, f"cannot read file: {exc}") from exc
    g = new_graph()
    try:
        g.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        reason = getattr(exc, "_why", None) or str(exc).splitlines()[0]
        raise InputError(
            name, exc.lines + 1, f"Turtle syntax error: {reason}",
            hint="Fix the Turtle at that line; `rapper -i turtle FILE` or an editor with Turtle "
            "support helps.",
        ) from exc
    except RecursionError as exc:
        raise InputError(name, None, "Turtle nested too deeply") from exc
    except Exception as exc:  # rdflib raises bare Exceptions, e.g. for unknown prefixes
        raise InputError(name, None, f"cannot parse Turtle: {str(exc).splitlines()[0]}") from exc
    check_terms(g, name, text)
    return g


def check_terms(g: Graph, name: str, text: str = "") -> None:
    """Reject IRIs that cannot be serialised and literals that are not of their datatype."""
    for triple in g:
        for term in triple:
            if isinstance(term, URIRef) and _BAD_IRI_CHARS.search(str(term)):
                raise InputError(
                    name, _line_of(text, str(term).split(" ")[0]),
                    f"invalid IRI <{term}> (spaces and <>\"{{}}|^`\\ are not allowed)",
                    hint="Percent-encode the character or fix the typo.",
                )
            if isinstance(term, Literal) and term.ill_typed:
                raise InputError(
                    name, _line_of(text, f'"{term}"'),
                    f'ill-typed literal "{term}"^^<{term.datatype}>',
                    hint="Write the value in the datatype's lexical form, e.g. 2016-07-08 for "
                    "xsd:date.",
                )


def canonical_bnodes(g: Graph) -> Graph:
    """Relabel blank nodes canonically, so the same input gives byte-identical exports."""
    if not any(isinstance(t, BNode) for s, _, o in g for t in (s, o)):
        return g
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in _TripleCanonicalizer(g).canonical_triples())
    return out


def load_files(
    paths: Iterable[Path], root: Path | None = None
) -> tuple[Graph, SubjectFiles]:
    """Parse files into one graph; also return which file first describes each IRI subject."""
    g = new_graph()
    origin: SubjectFiles = {}
    for path in paths:
        display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        part = parse_turtle(path, display)
        for s in part.subjects(unique=True):
            if isinstance(s, URIRef):
                origin.setdefault(s, display)
        g += part
    return g, origin
