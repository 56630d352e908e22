"""Quality reports on the ontology, data and sources: ``natoeu qa`` (``report``).

May import: core, sparql, pipeline.
"""
