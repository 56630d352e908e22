"""RDF terms as JSON data: a table of terms, and triples or patterns as indexes into it.

Caches store graphs this way (never pickled), so a planted or damaged file can at most be
rejected, never run code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


def encode(term: Any) -> list[str]:
    if isinstance(term, Literal):
        return ["l", str(term), str(term.datatype or ""), term.language or ""]
    return ["b" if isinstance(term, BNode) else "u", str(term)]


def decode(spec: Sequence[str]) -> Node:
    kind = spec[0]
    if kind == "u":
        return URIRef(spec[1])
    if kind == "b":
        return BNode(spec[1])
    if kind == "l":
        return Literal(spec[1], datatype=URIRef(spec[2]) if spec[2] else None,
                       lang=spec[3] or None)
    raise ValueError(f"unknown term kind {kind!r}")


class TermTable:
    """Terms numbered in the order first seen; ``None`` (a wildcard) is -1."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.table: list[list[str]] = []

    def id(self, term: Any) -> int:
        if term is None:
            return -1
        at = self.index.get(term)
        if at is None:
            at = self.index[term] = len(self.table)
            self.table.append(encode(term))
        return at

    def ids(self, terms: Iterable[Any]) -> list[int]:
        return [self.id(t) for t in terms]


def decode_table(table: Sequence[Sequence[str]]) -> list[Node]:
    return [decode(spec) for spec in table]
