"""The canned queries that Oxigraph answers exactly as rdflib does, so either engine may run them.

rdflib is the reference engine (the expected answers were made with it); Oxigraph answers the
same queries 10-60x faster. A query is listed here only if the engine test finds its answers
byte-identical on both engines, for every tested parameter set (the expected-answer cases and a
sweep of the graph's dates) and in every result format; the test also fails when a query left
out has become equal, so the list is exactly the proven set. Left out: ``measure-packages``,
which returns counts typed ``xsd:nonNegativeInteger``: Oxigraph stores them as ``xsd:integer``.
(The sweep once found ``factsheet-changes`` unequal on dates where some facts behind a count had
a last-verified date and others none: Oxigraph's MIN over unbound values is unbound, rdflib's
skips them. Its parts now give MIN bound values only.)
Both the warm CLI path (stores.warm) and `natoeu serve` (server.engines) send only these to
Oxigraph. No imports: the warm path must not load rdflib.
"""

OXIGRAPH_EQUAL = frozenset({
    "cyber-incidents", "eu-members", "exercises", "factsheet-changes", "factsheet-claims",
    "hybrid-coe", "joint-declarations", "measure-package-areas", "member-counts",
    "nato-members", "office-holders", "operation-links", "operations",
    "political-consultations", "post-holder", "progress-reports", "shared-members", "sources",
    "structures", "timeline",
})
