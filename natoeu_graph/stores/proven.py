"""The canned queries that Oxigraph answers exactly as rdflib does, so either engine may run them.

rdflib is the reference engine (the expected answers were made with it); Oxigraph answers the
same queries 10-60x faster. A query is listed here only if the engine test finds its answers
byte-identical on both engines, for every tested parameter set (the expected-answer cases and a
sweep of the graph's dates) and in every result format; the test also fails when a query left
out has become equal, so the list is exactly the proven set (today every query that needs no
external data). ``measure-packages`` was left out while it returned counts typed
``xsd:nonNegativeInteger``, which Oxigraph stores as ``xsd:integer``; it casts them now.
(The sweep once found ``factsheet-changes`` unequal on dates where some facts behind a count had
a last-verified date and others none: Oxigraph's MIN over unbound values is unbound, rdflib's
skips them. Its parts now give MIN bound values only.)
Both the warm CLI path (stores.warm) and `natoeu serve` (server.engines) send only these to
Oxigraph. No imports: the warm path must not load rdflib.

Ad-hoc queries run on Oxigraph without such a proof (the W3C query tests chose the engine). On
the graph's own data they differ from rdflib where Oxigraph stores a literal differently:
``oxigraph_datatype`` says how (tests/server/test_engines shows it on the graph).
"""

OXIGRAPH_EQUAL = frozenset({
    "cyber-incidents", "eu-members", "exercises", "factsheet-changes", "factsheet-claims",
    "hybrid-coe", "joint-declarations", "measure-package-areas", "measure-packages",
    "member-counts",
    "nato-members", "office-holders", "operation-links", "operations",
    "political-consultations", "post-holder", "progress-reports", "shared-members", "sources",
    "structures", "timeline",
})

_XSD = "http://www.w3.org/2001/XMLSchema#"
# Oxigraph stores every integer as xsd:integer: a literal of a type derived from it comes back
# typed xsd:integer (the graph has xsd:nonNegativeInteger counts and xsd:positiveInteger ordinals)
INTEGER_SUBTYPES = frozenset(_XSD + t for t in (
    "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    "positiveInteger"))


def oxigraph_datatype(datatype: str) -> str:
    """The datatype Oxigraph answers for a literal the graph types ``datatype``."""
    return _XSD + "integer" if datatype in INTEGER_SUBTYPES else datatype
