"""natoeu-graph: a linked-data knowledge graph of NATO-EU relations."""

__version__ = "0.1.0"
