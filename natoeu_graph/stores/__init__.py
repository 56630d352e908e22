"""The stores and endpoints queries run on besides the embedded rdflib graph.

``backends`` (rdflib, embedded Oxigraph, remote SPARQL endpoints), ``load`` (``natoeu load``: the
pipeline run straight into a persistent Oxigraph store), ``publish`` (``natoeu publish`` by the
Graph Store Protocol).
May import: core, sparql, pipeline.
"""
