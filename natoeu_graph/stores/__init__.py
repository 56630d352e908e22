"""The stores and endpoints queries run on besides the embedded rdflib graph.

``backends`` (rdflib, embedded Oxigraph, remote SPARQL endpoints), ``dialect`` (remote answers
read as the standard means them: Virtuoso's ASK and booleans), ``disk`` (what a store path
holds; a new store switched in at once), ``load`` (``natoeu load``: the pipeline run straight
into a persistent Oxigraph store), ``publish`` (``natoeu publish`` by the Graph Store Protocol),
``warm`` (a warm canned query answered from the cached Oxigraph store, without rdflib),
``proven`` (the canned queries Oxigraph is proven to answer exactly as rdflib does), ``oxrun``
(an ad-hoc query evaluated by Oxigraph in a thread with a deep stack), ``adhoc`` (`natoeu
sparql` on Oxigraph, with the rdflib path's policy), ``warm_sparql`` (a warm `natoeu sparql`
answered without rdflib).
May import: core, sparql, pipeline.
"""
