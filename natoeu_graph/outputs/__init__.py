"""What is written from a built graph.

``export`` (Turtle, N-Triples, TriG, N-Quads, JSON-LD), ``jsonld`` (compact and framed
documents), ``describe`` (VoID and DCAT), ``links`` (owl:sameAs coverage), ``docs`` (HTML pages,
with ``templates/``), ``diagram`` (the class diagram), ``timeline``, ``coverage``
(docs/coverage.md); ``labels`` and ``walk`` are the helpers they share (display names, the nodes
a description reaches).
May import: core, sparql, pipeline.
"""
