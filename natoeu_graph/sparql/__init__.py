"""SPARQL text: canned queries, parsing with the safety checks, result formats.

``queries`` (query files, #+ headers, parameters, parse cache, SERVICE/FROM refusal, running),
``prefixes`` (declared for every query), ``entities`` (entity parameters by IRI or label),
``results`` (table, CSV, TSV, SPARQL JSON), ``compose`` (canned queries written as one part per
check, such as factsheet-changes).
May import: core.
"""
