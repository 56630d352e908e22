"""RDF terms between rdflib and pyoxigraph, one term at a time.

Term by term rather than through a serialisation: Oxigraph's parsers relabel blank nodes, and
the two sides must name the same nodes. Plain and xsd:string literals are one thing in RDF 1.1;
rdflib keeps them apart, so xsd:string comes back as rdflib's plain literal, as natoeu parses it.
"""

from __future__ import annotations

from typing import Any

from rdflib import XSD, BNode, Literal, URIRef


def to_oxigraph(t: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if t.language:
        return ox.Literal(str(t), language=t.language)
    if t.datatype:
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
    return ox.Literal(str(t))


def to_rdflib(t: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    dt = t.datatype.value if t.datatype is not None else None
    if t.language or dt == str(XSD.string):
        return Literal(t.value, lang=t.language or None)
    return Literal(t.value, datatype=URIRef(dt) if dt else None)
