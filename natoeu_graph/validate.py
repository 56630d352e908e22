"""SHACL validation with pyshacl, and a report a person can read.

The shapes check the asserted graph (ontology + data) with no inference: SHACL's class targets
already follow rdfs:subClassOf in the data graph, and validating the OWL RL closure would multiply
each violation through sameAs and inverse entailments (STYLE.md section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from .load import SubjectFiles, new_graph
from .queries import parsed

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    severity: str
    focus: str
    path: str
    message: str
    value: str
    shape: str
    file: str | None


@dataclass
class Report:
    conforms: bool
    graph: Graph
    results: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.results if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.results if v.severity != "Violation"]

    def text(self) -> str:
        """One line per result, errors first, each with the file that holds the node."""
        if not self.results:
            return "Conforms: every node satisfies every shape."
        lines = [
            f"{'Conforms' if self.conforms else 'Does not conform'}: "
            f"{len(self.errors)} violation(s), {len(self.warnings)} warning(s)."
        ]
        for v in sorted(self.results, key=lambda v: (v.severity != "Violation", v.file or "",
                                                      v.focus, v.path, v.message)):
            where = f"{v.file}: " if v.file else ""
            path = f" {v.path}" if v.path else ""
            value = f" (value: {v.value})" if v.value and v.value != v.focus else ""
            lines.append(f"  {v.severity}: {where}{v.focus}{path}: {v.message}{value}")
        return "\n".join(lines)


def _short(g: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        try:
            return g.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return node.n3(g.namespace_manager)


class _ParseOnce(Graph):
    """A view of a graph whose string queries are parsed once per text.

    pyshacl sends each SPARQL constraint as text once per focus node, and rdflib parses it
    every time: on the shipped graph that was 7 of 8 seconds of validation. Same store, no copy.
    """

    def query(self, query_object: Any, processor: Any = "sparql", result: Any = "sparql",
              initNs: Any = None, initBindings: Any = None,
              use_store_provided: bool = True, **kwargs: Any) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            query_object = parsed(query_object, kwargs.get("base"), namespaces)
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


def validate(data: Graph, shapes: Graph, origin: SubjectFiles | None = None) -> Report:
    """Validate ``data`` (asserted triples + ontology) against ``shapes``."""
    view = _ParseOnce(store=data.store, identifier=data.identifier,
                      namespace_manager=data.namespace_manager)
    conforms, report_graph, _ = shacl_validate(
        view, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
        abort_on_first=False, meta_shacl=False,
    )
    origin = origin or {}
    pretty = new_graph()
    results = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(r, SH.focusNode)
        sev = report_graph.value(r, SH.resultSeverity)
        results.append(
            Violation(
                severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
                focus=_short(pretty, focus),
                path=_short(pretty, report_graph.value(r, SH.resultPath)),
                message=str(report_graph.value(r, SH.resultMessage) or "constraint violated"),
                value=_short(pretty, report_graph.value(r, SH.value)),
                shape=_short(pretty, report_graph.value(r, SH.sourceShape)),
                file=origin.get(focus) if isinstance(focus, URIRef) else None,
            )
        )
    return Report(conforms=bool(conforms), graph=report_graph, results=results)
