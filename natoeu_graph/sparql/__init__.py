"""SPARQL text: canned queries, parsing with the safety checks, result formats.

``queries`` (query files, #+ headers, parameters, parse cache, SERVICE/FROM refusal, running),
``prefixes`` (declared for every query), ``entities`` (entity parameters by IRI or label),
``results`` (table, CSV, TSV, SPARQL JSON), ``compose`` (canned queries written as one part per
check, such as factsheet-changes), ``screen`` (which texts cannot hold SERVICE or FROM, and which
are short enough for Oxigraph), ``oxformat`` (Oxigraph's answers written in results' bytes,
without rdflib).
May import: core.
"""
