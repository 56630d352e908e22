"""SPARQL text: canned queries, parsing with the safety checks, result formats.

``queries`` (query files, #+ headers, parameters, parse cache, SERVICE/FROM refusal, running),
``results`` (table, CSV, TSV, SPARQL JSON), ``compose`` (canned queries written as one part per
check, such as factsheet-changes).
May import: core.
"""
