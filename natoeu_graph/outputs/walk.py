"""The one graph walk behind descriptions, frame sources and test snippets.

They differ only in which objects they follow (blank nodes only, or everything but the classes
named by ``rdf:type``), so that choice is the ``follow`` argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rdflib import BNode, Graph
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
Follow = Callable[[Node, Node], bool]


def walk(graph: Graph, *start: Node, follow: Follow) -> Iterator[Triple]:
    """The triples of the ``start`` nodes and of every node reached through them.

    For each triple ``(s, p, o)`` yielded, the walk goes on to ``o`` when ``follow(p, o)``.
    Every node is expanded once (cycles end). The order is deterministic: depth first from a
    stack (the last node found is expanded next, the last of several starts first), and each
    node's triples in the graph's own order, which for rdflib's in-memory store is insertion
    order, so the same graph built the same way always walks the same way.
    """
    todo = list(start)
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in graph.triples((node, None, None)):
            yield s, p, o
            if follow(p, o):
                todo.append(o)


def blank_nodes(predicate: Node, obj: Node) -> bool:
    """Follow blank nodes only: a node with its time intervals, signatures and other parts."""
    return isinstance(obj, BNode)
