"""SHACL validation with pyshacl, and a report a person can read.

The shapes check the asserted graph (ontology + data) with no inference: SHACL's class targets
already follow rdfs:subClassOf in the data graph, and validating the OWL RL closure would multiply
each violation through sameAs and inverse entailments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import rdflib
from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..core.namespaces import new_graph
from ..sparql.queries import parsed
from .locate import Locator
from .parse import SubjectFiles
from .terms import UnknownTerm

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
    line: int | None = None  # of the node's block in ``file`` (of the offending predicate's)


@dataclass
class Report:
    conforms: bool
    graph: Graph
    results: list[Violation] = field(default_factory=list)
    # terms no vocabulary defines (pipeline.terms): errors too, listed first
    unknown: list[UnknownTerm] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.results if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.results if v.severity != "Violation"]

    def text(self) -> str:
        """One line per result, unknown terms and errors first, each with the file and line
        that hold the node."""
        if not self.results and not self.unknown:
            return "Conforms: every node satisfies every shape."
        terms = f"{len(self.unknown)} unknown term(s), " if self.unknown else ""
        lines = [
            f"{'Conforms' if self.conforms else 'Does not conform'}: "
            f"{terms}{len(self.errors)} violation(s), {len(self.warnings)} warning(s)."
        ]
        lines += [f"  Unknown term: {u.line()}" for u in self.unknown]
        for v in sorted(self.results, key=lambda v: (v.severity != "Violation", v.file or "",
                                                      v.focus, v.path, v.message)):
            where = f"{v.file}:{v.line}: " if v.file and v.line else f"{v.file}: " if v.file else ""
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


PARALLEL_FROM = 50_000  # triples; below this a forked worker costs more than it saves


def _run(view: Graph, shapes: Graph, use: list[str] | None = None) -> tuple[bool, Graph]:
    conforms, report_graph, _ = shacl_validate(
        view, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
        abort_on_first=False, meta_shacl=False, use_shapes=use,
    )
    return bool(conforms), report_graph


def _keep_literal_setting() -> None:
    """pyshacl turns rdflib's literal normalising off while it validates, then on for good:
    literals made afterwards in the process (reasoning, the cache, exports) were no longer kept
    as written (core.namespaces turns it off). Its two switches, wrapped, restore what was set
    before, for every pyshacl call in the process."""
    import pyshacl.entrypoints as entrypoints

    before: list[bool] = []
    switch_off, switch_on = entrypoints.rdflib_bool_patch, entrypoints.rdflib_bool_unpatch
    if getattr(switch_on, "natoeu", False):
        return

    def off() -> None:
        before.append(rdflib.NORMALIZE_LITERALS)
        switch_off()

    def restore() -> None:
        switch_on()
        if before:
            rdflib.NORMALIZE_LITERALS = before.pop()

    restore.natoeu = True  # type: ignore[attr-defined]
    entrypoints.rdflib_bool_patch = off
    entrypoints.rdflib_bool_unpatch = restore


_keep_literal_setting()


def _groups(data: Graph, shapes: Graph, n: int) -> list[list[str]]:
    """The targeted node shapes in ``n`` groups of about equal work (focus nodes x constraints),
    largest first onto the least loaded group."""
    cost: list[tuple[int, str]] = []
    for shape in set(shapes.subjects(SH.targetClass)) | set(shapes.subjects(SH.targetObjectsOf)):
        foci = sum(1 for c in shapes.objects(shape, SH.targetClass)
                   for _ in data.subjects(RDF.type, c))
        foci += sum(1 for p in shapes.objects(shape, SH.targetObjectsOf)
                    for _ in data.objects(None, p))
        weight = 1 + len(list(shapes.objects(shape, SH.property))) + len(
            list(shapes.objects(shape, SH.sparql))) * 5
        cost.append((foci * weight, str(shape)))
    groups: list[tuple[int, list[str]]] = [(0, []) for _ in range(n)]
    for c, name in sorted(cost, reverse=True):
        i = min(range(n), key=lambda k: groups[k][0])
        groups[i] = (groups[i][0] + c, [*groups[i][1], name])
    return [members for _, members in groups if members]


def _in_workers(view: Graph, shapes: Graph, groups: list[list[str]]) -> tuple[bool, Graph]:
    """Each group of shapes in a forked worker (the graph is shared copy-on-write); the reports
    are merged. pyshacl is single-threaded and each shape's results are independent."""
    import multiprocessing

    global _SHARED
    _SHARED = (view, shapes, groups)  # inherited by the forked workers, never pickled
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(len(groups)) as pool:
            parts = pool.map(_worker, range(len(groups)))
    finally:
        _SHARED = None
    merged = Graph()
    for _, triples in parts:
        merged.addN((s, p, o, merged) for s, p, o in triples)
    return all(c for c, _ in parts), merged


_SHARED: tuple[Graph, Graph, list[list[str]]] | None = None


def _worker(index: int) -> tuple[bool, list[tuple]]:
    assert _SHARED is not None
    view, shapes, groups = _SHARED
    conforms, report = _run(view, shapes, groups[index])
    return conforms, [tuple(t) for t in report]


def validate(data: Graph, shapes: Graph, origin: SubjectFiles | None = None,
             workers: int | None = None, locator: Locator | None = None) -> Report:
    """Validate ``data`` (asserted triples + ontology) against ``shapes``.

    ``workers`` (default: the CPUs, for graphs of PARALLEL_FROM triples or more) splits the
    shapes between forked processes; tests/pipeline/test_validation_engine.py shows the same
    results.
    """
    view = _ParseOnce(store=data.store, identifier=data.identifier,
                      namespace_manager=data.namespace_manager)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(data) >= PARALLEL_FROM else 1
    groups = _groups(data, shapes, workers) if workers > 1 else []
    if len(groups) > 1:
        conforms, report_graph = _in_workers(view, shapes, groups)
    else:
        conforms, report_graph = _run(view, shapes)
    return Report(conforms=bool(conforms), graph=report_graph,
                  results=readable(report_graph, data, shapes, origin or {}, locator))


def _path(pretty: Graph, graphs: tuple[Graph, ...], node: Node | None) -> str:
    """A SHACL property path as a SPARQL property path: p1/p2, ^p, (a|b), p*, p+, p?."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return _short(pretty, node)
    g = next((g for g in graphs if (node, None, None) in g), None)
    if g is None:
        return _short(pretty, node)
    if (node, RDF.first, None) in g:
        return "/".join(_path(pretty, graphs, step) for step in Collection(g, node))
    for key, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                     (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = g.value(node, key)
        if inner is not None:
            text = _path(pretty, graphs, inner)
            return fmt.format(f"({text})" if "/" in text or "|" in text else text)
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(pretty, graphs, a) for a in Collection(g, alternatives)) + ")"
    return _short(pretty, node)


def _owner(data: Graph, node: Node, pretty: Graph) -> tuple[Node, str]:
    """The IRI a blank node (an interval, an instant) hangs from, and the path from it."""
    steps: list[str] = []
    seen = {node}
    while isinstance(node, BNode):
        parents = sorted(data.subject_predicates(node), key=lambda sp: (str(sp[0]), str(sp[1])))
        if not parents or parents[0][0] in seen:
            break
        node, predicate = parents[0]
        seen.add(node)
        steps.insert(0, _short(pretty, predicate))
    return node, "/".join(steps)


def _message(report: Graph, shapes: Graph, result: Node) -> str:
    """The result's message. pyshacl gives a SPARQL constraint's result both the constraint's
    message and its shape's: the constraint's is the specific one (and picking either by store
    order made the text depend on the run)."""
    messages = sorted({str(m) for m in report.objects(result, SH.resultMessage)})
    if len(messages) > 1:
        shape = report.value(result, SH.sourceShape)
        general = {str(m) for m in shapes.objects(shape, SH.message)} if shape else set()
        messages = [m for m in messages if m not in general] or messages
    return "; ".join(messages) or "constraint violated"


def readable(report: Graph, data: Graph, shapes: Graph, origin: SubjectFiles,
             locator: Locator | None = None) -> list[Violation]:
    """The report as a person reads it: one result per problem, each on the IRI it belongs to.

    pyshacl reports a nested shape's failure twice: on the node itself (an interval that ends
    before it begins) and, through sh:node, on the node that points to it ("natoeu:during is at
    most one interval with a beginning"), whose message names the wrong constraint; the second
    is dropped when the first is there. A shape reached from two targets reports the same
    result twice: kept once. Blank nodes are named by the IRI they hang from and the path to
    them, property paths are written as SPARQL paths. With a ``locator``, each result also gets
    the line that writes the node (or the predicate at fault) in its file.
    """
    pretty = new_graph()
    graphs = (report, shapes)
    rows = [r for r in report.subjects(RDF.type, SH.ValidationResult)]
    foci = {report.value(r, SH.focusNode) for r in rows}
    out: dict[tuple[str, ...], Violation] = {}
    for r in rows:
        focus = report.value(r, SH.focusNode)
        value = report.value(r, SH.value)
        component = report.value(r, SH.sourceConstraintComponent)
        if component == SH.NodeConstraintComponent and value in foci and value != focus:
            continue
        owner, steps = _owner(data, focus, pretty) if focus is not None else (focus, "")
        path = "/".join(p for p in (steps, _path(pretty, graphs, report.value(r, SH.resultPath)))
                        if p)
        sev = report.value(r, SH.resultSeverity)
        file = origin.get(owner) if isinstance(owner, URIRef) else None
        line = None
        if locator is not None and file is not None and focus is not None and owner is not None:
            steps_from_owner = locator.owner(focus)[1]
            result_path = report.value(r, SH.resultPath)
            first = steps_from_owner[0] if steps_from_owner else (
                result_path if isinstance(result_path, URIRef) else None)
            line = locator.line(file, owner, first)
        v = Violation(
            severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
            focus=_short(pretty, owner),
            path=path,
            message=_message(report, shapes, r),
            value="" if isinstance(value, BNode) else _short(pretty, value),
            shape=_short(pretty, report.value(r, SH.sourceShape)),
            file=file,
            line=line,
        )
        out.setdefault((v.severity, v.focus, v.path, v.message, v.value), v)
    return list(out.values())
