"""Entity parameters resolved from a label index read once (what a server's worker does) give
exactly what scanning the graph for each gives: the same IRI, the same error and hint."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Variable

from natoeu_graph.core.errors import UsageError
from natoeu_graph.sparql.entities import Labels, resolve
from natoeu_graph.sparql.queries import list_queries, prepare


@pytest.mark.parametrize("raw", ["Sweden", "sweden", "NATO", "ne:SWE", "Swedn", "nosuchthing",
                                 "european", "ne:SWEX", "Secretary General"])
def test_the_label_index_answers_as_the_graph(built: Any, res: Any, raw: str) -> None:
    dataset = built.dataset()

    def ask(text: str, initial: dict[str, Any]) -> Any:
        return dataset.query(prepare(text, "lookup"),
                             initBindings={Variable(k): v for k, v in initial.items()})

    query = next(q for q in list_queries(res.queries_dir) if q.name == "sources")
    outcomes = []
    for labels in (Labels.read(ask), None):
        try:
            outcomes.append(resolve(query, {"entity": raw}, ask, labels))
        except UsageError as exc:
            outcomes.append((exc.message, exc.hint))
    assert outcomes[0] == outcomes[1]
