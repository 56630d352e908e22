"""rdflib's memory store that can note each triple pattern read (pipeline.incremental records
what each SHACL check reads). Light to import: the project's data graph is made in one, so that
a validation in a forked child can record on it without a copy."""

from __future__ import annotations

from typing import Any

from rdflib.plugins.stores.memory import Memory
from rdflib.term import Node

Pattern = tuple[Node | None, Node | None, Node | None]


class RecordingStore(Memory):
    """rdflib's memory store, noting each pattern read while ``reads`` is a set."""

    reads: set[Pattern] | None = None
    size_read = False
    emptiness_read = False

    def triples(self, triple_pattern: Any, context: Any = None) -> Any:
        if self.reads is not None:
            self.reads.add(tuple(triple_pattern))
        return super().triples(triple_pattern, context)

    def __len__(self, context: Any = None) -> int:
        if self.reads is not None:
            self.size_read = True
        return super().__len__(context)

    def is_empty(self) -> bool:
        if self.reads is not None:
            self.emptiness_read = True
        return super().__len__() == 0
