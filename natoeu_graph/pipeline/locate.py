"""Where a node is written: the file and line a contributor opens to fix a finding.

A Turtle block about a node starts with the node's name at the start of a line (the project's
files are written that way, one block per node); a blank node is found through the IRI it hangs
from and the predicate that leads to it, whose line inside the block is the one shown.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ..core.namespaces import PREFIXES
from .parse import SubjectFiles


def short(node: Node | str | None) -> str:
    """A prefixed name where a declared prefix fits, else <IRI>."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = str(node)[len(iri):]
            if str(node).startswith(iri) and re.fullmatch(r"[A-Za-z0-9_-]*", local):
                return f"{prefix}:{local}"
        return f"<{node}>"
    return str(node)


class Locator:
    """Names a node and finds the file and line that hold it.

    ``graph`` is what blank nodes are looked up in (ontology + data), ``ontology`` the terms'
    graph, ``origin`` the file of each IRI subject (parse.read_files), paths relative to
    ``root``.
    """

    def __init__(self, root: Path, graph: Graph, ontology: Graph, ontology_file: str,
                 origin: SubjectFiles) -> None:
        self.root = root
        self.graph = graph
        self.ontology = ontology
        self.ontology_file = ontology_file
        self.origin = origin
        self._lines: dict[str, tuple[str, ...]] = {}

    def owner(self, node: Node) -> tuple[Node, list[Node]]:
        """The IRI that (through blank nodes) points at ``node``, and the predicates from it."""
        path: list[Node] = []
        seen: set[Node] = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parent = next(iter(sorted(self.graph.subject_predicates(node), key=str)), None)
            if parent is None:
                break
            node, prop = parent
            path.insert(0, prop)
        return node, path

    def name(self, node: Node) -> str:
        if isinstance(node, BNode):
            owner, path = self.owner(node)
            if isinstance(owner, URIRef):
                return f"{short(owner)} {'/'.join(short(p) for p in path)} []"
            return "[] (a blank node)"
        return short(node)

    def file(self, node: Node) -> str | None:
        """The file that holds ``node`` (its owner's, for a blank node)."""
        owner, _ = self.owner(node)
        if not isinstance(owner, URIRef):
            return None
        in_ontology = (owner, None, None) in self.ontology
        if owner in self.origin and not in_ontology:
            return self.origin[owner]
        if in_ontology or str(owner).startswith(PREFIXES["natoeu"]):
            return self.ontology_file
        return None

    def where(self, node: Node, predicate: Node | None = None) -> str | None:
        """"file:line" of the node's block (of ``predicate``'s line in it, or of the first
        predicate leading to a blank node), "file" when no line is found, or None."""
        file = self.file(node)
        if file is None:
            return None
        owner, path = self.owner(node)
        line = self.line(file, owner, path[0] if path else predicate)
        return f"{file}:{line}" if line else file

    def line(self, file: str, subject: Node, predicate: Node | None = None) -> int | None:
        lines = self._read(file)
        start = self._block_start(lines, subject)
        if start is None:
            return None
        if predicate is not None:
            names: tuple[str, ...] = (short(predicate), f"<{predicate}>")
            if predicate == URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"):
                names = (*names, " a ")
            for number in range(start, len(lines) + 1):
                text = lines[number - 1]
                if number > start and text[:1] not in ("", " ", "\t"):
                    break  # the next block
                if any(n in text for n in names):
                    return number
        return start

    def term_lines(self, file: str, term: URIRef) -> list[int]:
        """Every line of ``file`` that writes ``term`` (as a prefixed name or an IRI)."""
        names = (short(term), f"<{term}>")
        pattern = re.compile("|".join(re.escape(n) + r"(?![A-Za-z0-9_-])" for n in names))
        return [n for n, text in enumerate(self._read(file), 1)
                if not text.lstrip().startswith("#") and pattern.search(text)]

    def _read(self, file: str) -> tuple[str, ...]:
        if file not in self._lines:
            try:
                text = (self.root / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[file] = tuple(text.splitlines())
        return self._lines[file]

    def _block_start(self, lines: tuple[str, ...], subject: Node) -> int | None:
        if not isinstance(subject, URIRef):
            return None
        name = short(subject)
        starts = (f"{name} ", f"{name}\t", f"<{subject}> ", f"<{subject}>\t")
        for number, text in enumerate(lines, 1):
            if text.startswith(starts) or text in (name, f"<{subject}>"):
                return number
        return None
