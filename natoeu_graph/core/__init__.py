"""The vocabulary every stage shares; imports nothing else from the package.

``namespaces`` (IRI bases, the closed natoeu: namespace, prefixed graphs), ``resources`` (where
ontology/, data/ and queries/ live, and the cache folder), ``context`` (the JSON-LD context and
the offline loader), ``errors`` (the one error hierarchy), ``atomic`` (files replaced in one
step), ``checked`` (cache files with their own checksum), ``env`` (numbers read from the
environment), ``oxterms`` (rdflib <-> pyoxigraph terms), ``termtable`` (terms as JSON data),
``forked`` (a function run in a forked child beside the caller).
"""
