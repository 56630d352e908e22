"""natoeu-graph: a linked-data knowledge graph of NATO-EU relations.

The subpackages follow the pipeline, each importing only those listed before it (a test,
tests/test_layout.py, fails on an upward import or a cycle):

- ``core``      the vocabulary every stage shares: namespaces, where the project files live,
                the JSON-LD context, errors, atomic file writes, rdflib<->Oxigraph terms
- ``sparql``    SPARQL text: canned query files and their parameters, parsing with the safety
                checks, result formats, the factsheet-changes query composed from its parts
- ``pipeline``  files -> a validated, reasoned graph: parse (trusted project files and untrusted
                external ones), validate (SHACL), reason (OWL RL engines), build (the cache)
- ``stores``    where queries run besides the embedded graph: backends (rdflib, Oxigraph,
                remote endpoints), ``natoeu load`` into an Oxigraph store, ``natoeu publish``
- ``outputs``   what is written from a built graph: export, JSON-LD, describe (VoID/DCAT),
                links, docs, diagram, timeline
- ``qa``        quality reports on the sources: ``natoeu qa``
- ``server``    ``natoeu serve``
- ``cli``       the ``natoeu`` command on top of everything; the only module that prints or exits
"""

__version__ = "0.1.0"
