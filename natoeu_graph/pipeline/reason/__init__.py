"""OWL RL reasoning: the entailments of the asserted graph, kept apart and stripped of trivia.

Engines: ``full`` (owlrl, the reference), ``fast`` (reasonable + property chains) and ``rules``
(the ontology compiled into SPARQL updates run inside Oxigraph); ``budget`` picks one and runs it
in a worker killed at the deadline; ``trivial`` says which entailments every engine drops.
May import: core, pipeline.memo (the ontology's closure is remembered). Imported by:
pipeline.build, stores.load.
"""
