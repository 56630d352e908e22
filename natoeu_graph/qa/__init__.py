"""Quality reports on the ontology, data and sources.

``report`` (``natoeu qa``: ROBOT, OOPS! and domain checks, the source policy, SHACL), ``gate``
(``natoeu check``: violation queries and every canned query over the built graph), ``engines``
(which engine runs each of those queries), ``stale``
(``natoeu stale``: open ends by the age of their last verification), ``reconcile``
(``natoeu reconcile``: memberships and terms of office against a saved Wikidata answer).
May import: core, sparql, pipeline, stores.
"""
