"""Ontology and data quality checks (`natoeu qa`): the ROBOT `report` checks that apply, the OOPS!
pitfalls that can be checked offline, and the project's own domain checks.

Most checks are SPARQL files in queries/qa/ (ROBOT style: each returns ?entity ?property ?value
and may add a ?message; `#+ level:` and `#+ refs:` headers); checks that SPARQL expresses badly
(cycles) are Python functions below. The checks run over the asserted graph (ontology + data),
unvalidated and unreasoned, so a problem is reported even when SHACL would stop every other
command, and each finding is a fact someone wrote, not an entailment. A library: it returns
findings and never prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import RDFS, BNode, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from ..core.errors import InputError
from ..core.namespaces import PREFIXES
from ..core.resources import Resources
from ..pipeline.locate import Locator
from ..pipeline.parse import SubjectFiles, parse_turtle
from ..sparql.queries import parse_query_file

LEVELS = ("error", "warn", "info")
_HEADER = re.compile(r"^#\+\s*(level|refs):\s*(.*?)\s*$", re.M)
_MAX_VALUE = 80


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    summary: str
    description: str
    refs: str
    source: str  # the .rq file relative to the project root, or "python"


@dataclass(frozen=True)
class Finding:
    check: str
    level: str
    entity: str  # prefixed IRI, or the blank node's owner and path
    property: str
    value: str
    message: str
    where: str | None  # "data/states.ttl:17", "ontology/natoeu.ttl:40" or None


@dataclass
class Report:
    checks: list[Check]
    findings: list[Finding] = field(default_factory=list)

    def count(self, check: str) -> int:
        return sum(1 for f in self.findings if f.check == check)

    def at_least(self, level: str) -> list[Finding]:
        """Findings at ``level`` or more severe, most severe first."""
        rank = LEVELS.index(level)
        return sorted((f for f in self.findings if LEVELS.index(f.level) <= rank),
                      key=lambda f: (LEVELS.index(f.level), f.check, f.where or "", f.entity,
                                     f.value))

    def failed(self, fail_on: str = "error") -> bool:
        return fail_on in LEVELS and bool(self.at_least(fail_on))


# --- Python checks ----------------------------------------------------------------------------

Row = tuple[Node, Node | None, str, str]  # entity, property, value, message
PyCheck = Callable[[Graph], Iterable[Row]]


def _cycles(g: Graph) -> Iterable[Row]:
    """Strongly connected components of rdfs:subClassOf and rdfs:subPropertyOf (Tarjan).

    A self-loop (C rdfs:subClassOf C) is trivially true and is not reported.
    """
    for prop in (RDFS.subClassOf, RDFS.subPropertyOf):
        edges: dict[Node, list[Node]] = {}
        for s, o in g.subject_objects(prop):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
                edges.setdefault(s, []).append(o)
        for component in _strongly_connected(edges):
            if len(component) > 1:
                first = min(component, key=str)
                path = _cycle_path(edges, first, set(component))
                yield (first, prop, "", "cycle: " + " ⊑ ".join(_short(n) for n in path)
                       + "; all its members are equivalent")


def _strongly_connected(edges: dict[Node, list[Node]]) -> list[list[Node]]:
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    stack: list[Node] = []
    on_stack: set[Node] = set()
    out: list[list[Node]] = []
    for root in sorted(edges, key=str):
        if root in index:
            continue
        # iterative DFS: hierarchies can be deep, recursion could hit Python's limit
        work: list[tuple[Node, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            succ = edges.get(node, [])
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                comp: list[Node] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def _cycle_path(edges: dict[Node, list[Node]], start: Node, members: set[Node]) -> list[Node]:
    """One concrete cycle through ``start`` inside its component (breadth-first)."""
    previous: dict[Node, Node] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in edges.get(node, []):
            if nxt not in members:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return [start]


_ENTITY_IRI = re.compile(
    r"https://w3id\.org/natoeu/("
    r"id/[A-Za-z0-9]+(-[A-Za-z0-9]+)*"  # instances: ISO codes, acronyms, kebab-case
    r"|ontology(#[A-Za-z][A-Za-z0-9]*|/\d+\.\d+\.\d+)?"  # terms, the ontology, its versions
    r"|shapes|context\.jsonld|graph/[a-z]+)")


def _invalid_iris(g: Graph) -> Iterable[Row]:
    """natoeu IRIs off the project's IRI patterns (a regex over every term: a SPARQL
    FILTER over three full scans took seconds)."""
    seen: set[URIRef] = set()
    for triple in g:
        for term in triple:
            if (isinstance(term, URIRef) and term not in seen
                    and str(term).startswith("https://w3id.org/natoeu/")):
                seen.add(term)
                if not _ENTITY_IRI.fullmatch(str(term)):
                    yield (term, None, "", "not a natoeu IRI pattern: instances are "
                           "ne: plus letters, digits and single hyphens; terms natoeu: plus a "
                           "camel-case name")


PYTHON_CHECKS: dict[str, tuple[Check, PyCheck]] = {
    "hierarchy_cycle": (
        Check("hierarchy_cycle", "error",
              "Cycles in the class or property hierarchy",
              "A rdfs:subClassOf (or rdfs:subPropertyOf) B ... rdfs:subClassOf A makes all of them "
              "equivalent under OWL RL; if that is meant, say owl:equivalentClass. Checked in "
              "Python: SPARQL property paths find that a cycle exists, not which one.",
              "OOPS P06", "python"),
        _cycles),
    "invalid_entity_uri": (
        Check("invalid_entity_uri", "warn",
              "natoeu IRIs that break the project's IRI patterns",
              "ROBOT's check adapted to the project's IRI patterns: instances are "
              "https://w3id.org/natoeu/id/ plus letters, digits and single hyphens (ISO codes, "
              "kebab-case); terms are https://w3id.org/natoeu/ontology# plus a camel-case name. "
              "Usually a typo, which silently makes a new node.",
              "ROBOT invalid_entity_uri", "python"),
        _invalid_iris),
}


# --- running ----------------------------------------------------------------------------------

def load_checks(res: Resources) -> list[Check]:
    """The SPARQL checks in queries/qa/ and the Python checks, sorted by name."""
    checks = [c for c, _ in PYTHON_CHECKS.values()] + list(VALIDATION_CHECKS.values())
    for path in sorted(res.qa_dir.glob("*.rq")):
        q = parse_query_file(path)
        head = dict(_HEADER.findall(q.text))
        level = head.get("level", "").strip("\"'")
        shown = str(path.relative_to(res.root)) if path.is_relative_to(res.root) else str(path)
        if level not in LEVELS:
            raise InputError(shown, None, f"'#+ level:' must be one of {', '.join(LEVELS)}, "
                             f"not {level!r}")
        checks.append(Check(q.name, level, q.summary, q.description,
                            head.get("refs", "").strip("\"'"), shown))
    return sorted(checks, key=lambda c: c.name)


# Checks made while validating rather than by a query: SHACL results and unknown terms.
VALIDATION_CHECKS = {
    "shape_violation": Check(
        "shape_violation", "error", "Nodes that do not conform to the SHACL shapes",
        "The shapes in ontology/natoeu.shapes.ttl (the same validation as `natoeu validate` and "
        "every command that builds the graph); a shape's sh:Warning results are warnings here.",
        "SHACL", "python"),
    "unknown_term": Check(
        "unknown_term", "error", "Terms that no vocabulary defines",
        "A natoeu: term the ontology does not declare, or a term of a standard vocabulary (ORG, "
        "OWL-Time, PROV-O, SKOS, DCMI terms, FOAF, RDF, RDFS, OWL, XSD, SHACL, VANN, DCAT, VoID) "
        "that the vocabulary does not define: a typo, which parses silently. The finding names "
        "the nearest known terms.", "OOPS P08-like, ROBOT undeclared terms", "python"),
}


def run_qa(res: Resources, only: Iterable[str] | None = None,
           use_cache: bool = False) -> Report:
    """Parse the ontology and data of ``res`` and run every check (or those named in ``only``).

    With ``use_cache``, the full report is remembered under a hash of everything it depends on
    (the graph's input files, the package's code, the library versions, the check files and the
    date), so a second run on unchanged files reads it instead of running 40 queries again;
    queries run on Oxigraph where proven equal (qa.engines), and the SHACL validation reuses
    the results of unchanged nodes (pipeline.incremental). Without it, everything is computed
    afresh on rdflib, the reference.
    """
    from ..pipeline import memo
    from ..pipeline.build import cache_dir, cache_key, parse_project

    digest = ""
    if use_cache and only is None:
        digest = memo.key(cache_key(res, False), dt.date.today().isoformat(),
                          files=sorted(res.qa_dir.glob("*.rq")))
        hit = memo.load(cache_dir(), "qa", digest)
        if hit is not None:
            with contextlib.suppress(KeyError, TypeError):
                return Report([Check(**c) for c in hit["checks"]],
                              [Finding(**f) for f in hit["findings"]])
    ontology, shapes, data, origin = parse_project(res)
    report = check_graphs(res, ontology, data, origin, only, shapes=shapes, use_cache=use_cache,
                          consume=True)
    if digest:
        memo.save(cache_dir(), "qa", digest,
                  {"checks": [asdict(c) for c in report.checks],
                   "findings": [asdict(f) for f in report.findings]})
    return report


def check_graphs(res: Resources, ontology: Graph, data: Graph, origin: SubjectFiles,
                 only: Iterable[str] | None = None, shapes: Graph | None = None,
                 use_cache: bool = False, consume: bool = False) -> Report:
    """Run the checks over graphs already parsed (tests seed problems into copies of them).

    ``shapes`` (default: the tree's shapes file) are what shape_violation validates against;
    ``use_cache`` as in run_qa; ``consume``: ``data`` is the caller's no more (the ontology
    joins it, instead of both being copied into a new graph).
    """
    from .engines import Engines

    checks = load_checks(res)
    if only is not None:
        wanted = set(only)
        unknown = wanted - {c.name for c in checks}
        if unknown:
            raise InputError(str(res.qa_dir), None, f"no such check: {', '.join(sorted(unknown))}")
        checks = [c for c in checks if c.name in wanted]
    validating = None
    if any(c.name in VALIDATION_CHECKS for c in checks):
        # SHACL in a forked child while the queries below run here
        from ..core.forked import Forked

        validating = Forked(_validation_findings, res, ontology, data, origin, shapes,
                            use_cache, {c.name for c in checks})
    if consume:  # after the fork above: the child validates its own copy
        data.addN((s, p, o, data) for s, p, o in ontology)
        graph = data
    else:
        graph = ontology + data
    locate = Locator(res.root, graph, ontology, str(res.ontology.relative_to(res.root)), origin)
    engines = Engines({"ontology": ontology, "data": data}, lambda: graph, oxigraph=use_cache)
    report = Report(checks)
    try:
        _query_findings(res, checks, graph, engines, locate, report)
    except BaseException:
        if validating is not None:
            validating.cancel()
        raise
    if validating is not None:
        report.findings += validating.result()
    return report


def _query_findings(res: Resources, checks: list[Check], graph: Graph, engines: Any,
                    locate: Locator, report: Report) -> None:
    """The findings of the query and Python checks, added to ``report``."""
    from .engines import QA_EQUAL

    for check in checks:
        if check.name in VALIDATION_CHECKS:
            continue
        if check.source == "python":
            rows = list(PYTHON_CHECKS[check.name][1](graph))
        else:
            text = (res.root / check.source).read_text(encoding="utf-8")
            result = engines.query(text, check.source, check.name in QA_EQUAL)
            names = [Variable(v) for v in ("entity", "property", "value", "message")]
            rows = [tuple(b.get(v) for v in names) for b in result.bindings]
        for entity, prop, value, message in rows:
            if entity is None:
                continue
            report.findings.append(Finding(
                check=check.name, level=check.level,
                entity=locate.name(entity), property=_short(prop),
                value=_short(value),
                message=_prefixed(str(message)) if message else check.summary,
                where=locate.where(entity)))


def _validation_findings(res: Resources, ontology: Graph, data: Graph, origin: SubjectFiles,
                         shapes: Graph | None, use_cache: bool,
                         wanted: set[str]) -> list[Finding]:
    """shape_violation and unknown_term, from the validation every build makes."""
    from ..pipeline.build import validate_parsed

    if shapes is None:
        shapes = parse_turtle(res.shapes, str(res.shapes.relative_to(res.root)))
    from ..core.forked import in_child

    # in a forked child (check_graphs) its copy of the data may be used up
    validation = validate_parsed(res, ontology, shapes, data, origin, use_cache,
                                 consume=in_child())
    out = []
    if "shape_violation" in wanted:
        for v in validation.results:
            where = f"{v.file}:{v.line}" if v.file and v.line else v.file
            out.append(Finding("shape_violation", "error" if v.severity == "Violation" else "warn",
                               v.focus, v.path, v.value, _prefixed(v.message), where))
    if "unknown_term" in wanted:
        for u in validation.unknown:
            out.append(Finding("unknown_term", "error", u.name, "", "", u.message(),
                               u.where[0] if u.where else None))
    return out


def _short(node: Node | str | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            local = str(node)[len(iri):]
            if str(node).startswith(iri) and re.fullmatch(r"[A-Za-z0-9_-]*", local):
                return f"{prefix}:{local}"
        return f"<{node}>"
    if isinstance(node, Literal):
        text = node.n3()
        return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE - 1] + "…"
    if isinstance(node, BNode):
        return "[]"
    return str(node)


def _prefixed(message: str) -> str:
    """Full IRIs that a check's message spells out, shortened to prefixed names."""
    for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        message = re.sub(re.escape(iri) + r"([A-Za-z0-9_-]+)", prefix + r":\1", message)
    return message
