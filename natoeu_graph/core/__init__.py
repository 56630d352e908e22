"""The vocabulary every stage shares; imports nothing else from the package.

``namespaces`` (IRI bases, the closed natoeu: namespace, prefixed graphs), ``resources`` (where
ontology/, data/ and queries/ live), ``context`` (the JSON-LD context and the offline loader),
``errors`` (the one error hierarchy), ``atomic`` (files replaced in one step), ``oxterms``
(rdflib <-> pyoxigraph terms).
"""
