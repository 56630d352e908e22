"""SHACL validation with pyshacl, and a report a person can read.

The shapes check the asserted graph (ontology + data) with no inference: SHACL's class targets
already follow rdfs:subClassOf in the data graph, and validating the OWL RL closure would multiply
each violation through sameAs and inverse entailments (STYLE.md section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from .load import SubjectFiles, new_graph

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


def validate(data: Graph, shapes: Graph, origin: SubjectFiles | None = None) -> Report:
    """Validate ``data`` (asserted triples + ontology) against ``shapes``."""
    conforms, report_graph, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
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
