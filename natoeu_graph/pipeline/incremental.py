"""SHACL validation that checks again only what a change can affect.

pyshacl validates here one (shape, focus node) pair at a time, over a store that records every
triple pattern the pair reads: pyshacl's core constraints and rdflib's SPARQL engine read the
data only through the store's ``triples`` (and ``__len__``), so the record is complete. The
pairs, their results and their reads are remembered with the graph they were checked on (a
pair that asked for the graph's size remembers the size it saw; one that asked whether the graph
is empty, which pyshacl does for every result it makes, remembers the answer). On the
next run the new graph is compared with that one, triple by triple; a pair is validated again
only if an added or removed triple matches a pattern it read, or if it is new (a focus node
that a changed target now selects). Every other pair keeps its result. The focus nodes of every
shape are recomputed each time: target selection is cheap. A first run, or one after the
shapes, the package's code or a library changed, validates every pair.

tests/pipeline/test_incremental.py shows the results equal a full validation (validate.validate)
after seeded edits across files. A library: it returns a Report and never prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyshacl import Validator
from pyshacl.graph_abstraction import RdfLibDataGraph
from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.term import Node

from ..core import checked
from ..core.termtable import TermTable, decode_table
from . import memo
from .locate import Locator
from .parse import SubjectFiles
from .recording import RecordingStore
from .validate import PARALLEL_FROM, Report, _ParseOnce, readable

SH = Namespace("http://www.w3.org/ns/shacl#")
_FORMAT = b"natoeu-validation-state-1\n"
KEEP_STATES = 8  # trees whose last validation is remembered (checkouts, test copies ...)

Triple = tuple[Node, Node, Node]
Pattern = tuple[Node | None, Node | None, Node | None]
Pair = tuple[Node, Node]  # (shape, focus node)


class _DataGraph(RdfLibDataGraph):
    """pyshacl's data graph whose truth asks the store whether it is empty, not its size:
    pyshacl writes `datagraph or shapes_graph` for every result, and a size read would make
    every such pair depend on every triple."""

    def __bool__(self) -> bool:
        store = self.store
        return not store.is_empty() if isinstance(store, RecordingStore) else len(self) > 0


@dataclass
class PairResult:
    conforms: bool
    results: list[Node]  # the sh:ValidationResult nodes
    triples: list[Triple]  # their triples (with the nodes they clone from data and shapes)
    reads: list[Pattern]
    size: int | None = None  # the graph's size, if the pair asked for it
    empty: bool | None = None  # whether the graph was empty, if the pair asked


@dataclass
class Outcome:
    report: Report
    checked: int  # pairs validated in this run
    kept: int  # pairs whose remembered result was kept


def _generalisations(t: Triple) -> Iterator[Pattern]:
    s, p, o = t
    for ps in (s, None):
        for pp in (p, None):
            for po in (o, None):
                yield (ps, pp, po)


class _Session:
    """A data graph over a recording store and pyshacl's validator for one shapes graph."""

    def __init__(self, triples: Iterable[Triple], shapes: Graph, namespaces: Graph,
                 graph: Graph | None = None) -> None:
        """On a new graph of ``triples``, or on ``graph`` (a graph on a RecordingStore that
        holds them) as it is."""
        if graph is None:
            store = RecordingStore()
            graph = Graph(store=store, namespace_manager=namespaces.namespace_manager)
            graph.addN((s, p, o, graph) for s, p, o in triples)
        assert isinstance(graph.store, RecordingStore)
        self.store = graph.store
        self.graph = graph
        view = _ParseOnce(store=self.store, identifier=graph.identifier,
                          namespace_manager=graph.namespace_manager)
        self.dg = _DataGraph(store=self.store, impl=view)
        self.validator = Validator(self.dg, shacl_graph=shapes, options={
            "inference": "none", "advanced": False, "allow_warnings": True,
            "abort_on_first": False, "inplace": True})
        self.sg = self.validator.shacl_graph
        self.executor = self.validator.make_executor()
        self.shapes = {shape.node: shape for shape in self.sg.shapes}

    def pairs(self) -> list[Pair]:
        """Every (shape, focus node) pair the targets select now, in a stable order."""
        out: list[Pair] = []
        for node, shape in self.shapes.items():
            out.extend((node, f) for f in shape.focus_nodes(self.dg))
        return sorted(set(out), key=lambda pair: (str(pair[0]), str(pair[1])))

    def run(self, pair: Pair) -> PairResult:
        shape = self.shapes[pair[0]]
        self.store.reads = set()
        self.store.size_read = self.store.emptiness_read = False
        try:
            conforms, reports = shape.validate(self.executor, self.dg, focus=[pair[1]])
            triples: list[Triple] = []
            results: list[Node] = []
            if reports:
                # pyshacl's own report builder clones the nodes a result names (reads recorded)
                vg, _ = Validator.create_validation_report(self.sg, bool(conforms), reports)
                report_node = next(vg.subjects(RDF.type, SH.ValidationReport))
                results = list(vg.objects(report_node, SH.result))
                triples = [t for t in vg if t[0] != report_node]
            reads = list(self.store.reads)
            size = len(self.graph) if self.store.size_read else None
            empty = (len(self.graph) == 0) if self.store.emptiness_read else None
        finally:
            self.store.reads = None
        return PairResult(bool(conforms), results, triples, reads, size, empty)


def _state_file(folder: Path, root: Path) -> Path:
    tree = hashlib.sha256(str(root).encode("utf-8")).hexdigest()[:16]
    return folder / f"validation-state-{tree}.json"


def _state_key(shapes: Graph) -> str:
    lines = sorted(" ".join(t.n3() for t in triple) for triple in shapes)
    return memo.key(memo.code_digest(), memo.versions("rdflib", "pyshacl", "pyoxigraph"),
                    "\n".join(lines))


def _load(path: Path, key: str) -> tuple[set[Triple], dict[Pair, PairResult]] | None:
    payload = checked.read(path, _FORMAT)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        if data.get("key") != key:
            return None
        terms = decode_table(data["terms"])

        def term(i: int) -> Node | None:
            return None if i < 0 else terms[i]

        graph = {(terms[a], terms[b], terms[c]) for a, b, c in data["graph"]}
        pairs: dict[Pair, PairResult] = {}
        for shape, focus, conforms, results, triples, size, empty in data["pairs"]:
            pairs[(terms[shape], terms[focus])] = PairResult(
                bool(conforms), [terms[r] for r in results],
                [(terms[a], terms[b], terms[c]) for a, b, c in triples], [],
                None if size is None else int(size), None if empty is None else bool(empty))
        ordered = list(pairs.values())
        for s, p, o, *users in data["reads"]:
            pattern = (term(s), term(p), term(o))
            for user in users:
                ordered[user].reads.append(pattern)
    except Exception:  # anything unexpected in the file: validate afresh, as for a damaged one
        return None
    return graph, pairs


def _save(path: Path, key: str, graph: Iterable[Triple], pairs: dict[Pair, PairResult]) -> None:
    terms = TermTable()
    rows = [terms.ids(t) for t in graph]
    pair_rows = []
    readers: dict[tuple[int, ...], list[int]] = {}
    for n, ((shape, focus), result) in enumerate(pairs.items()):
        pair_rows.append([terms.id(shape), terms.id(focus), int(result.conforms),
                          terms.ids(result.results), [terms.ids(t) for t in result.triples],
                          result.size, result.empty])
        for pattern in result.reads:
            readers.setdefault(tuple(terms.ids(pattern)), []).append(n)
    payload = json.dumps({"key": key, "terms": terms.table, "graph": rows, "pairs": pair_rows,
                          "reads": [[*k, *v] for k, v in readers.items()]},
                         separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(OSError):  # an unwritable cache only costs speed
        checked.write(path, _FORMAT, payload)
        states = sorted(path.parent.glob("validation-state-*.json"),
                        key=lambda f: f.stat().st_mtime, reverse=True)
        for old in states[KEEP_STATES:]:
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()


def _affected(changed: set[Triple], previous: dict[Pair, PairResult], size: int) -> set[Pair]:
    """The remembered pairs that read a pattern one of the changed triples matches, or a size
    the graph no longer has."""
    if not changed:
        return set()
    out = {pair for pair, result in previous.items()
           if (result.size is not None and result.size != size)
           or (result.empty is not None and result.empty != (size == 0))}
    readers: dict[Pattern, list[Pair]] = {}
    for pair, result in previous.items():
        for pattern in result.reads:
            readers.setdefault(pattern, []).append(pair)
    for t in changed:
        for pattern in _generalisations(t):
            out.update(readers.get(pattern, ()))
    return out


def _in_workers(session: _Session, todo: list[Pair], n: int) -> dict[Pair, PairResult]:
    """The pairs split between forked workers (the graph is shared copy-on-write)."""
    import multiprocessing

    global _SHARED
    _SHARED = (session, [todo[i::n] for i in range(n)])
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            parts = pool.map(_worker, range(n))
    finally:
        _SHARED = None
    return {pair: result for part in parts for pair, result in part}


_SHARED: tuple[_Session, list[list[Pair]]] | None = None


def _worker(index: int) -> list[tuple[Pair, PairResult]]:
    assert _SHARED is not None
    session, chunks = _SHARED
    return [(pair, session.run(pair)) for pair in chunks[index]]


def validate(ontology: Graph, data: Graph, shapes: Graph, origin: SubjectFiles, root: Path,
             folder: Path, workers: int | None = None,
             locator: Locator | None = None, consume: bool = False) -> Outcome:
    """Validate ontology + data against ``shapes``, reusing the results remembered in
    ``folder`` for the tree at ``root`` where no change can have altered them.

    ``consume``: the caller gives ``data`` away (a forked child's copy): the ontology joins it
    and the checks record on it, where its store is a RecordingStore, instead of on a copy of
    both (0.2 s for the project's graph)."""
    if consume and isinstance(data.store, RecordingStore):
        data.addN((s, p, o, data) for s, p, o in ontology)
        triples: set[Triple] = set(data)
        session = _Session(triples, shapes, data, graph=data)
    else:
        triples = set(ontology) | set(data)
        session = _Session(triples, shapes, data)
    key = _state_key(shapes)
    path = _state_file(folder, root)
    remembered = _load(path, key)
    previous: dict[Pair, PairResult] = {}
    affected: set[Pair] = set()
    unchanged = False
    if remembered is not None:
        old_graph, previous = remembered
        changed = old_graph ^ triples
        unchanged = not changed
        affected = _affected(changed, previous, len(triples))
    results: dict[Pair, PairResult] = {}
    todo: list[Pair] = []
    for pair in session.pairs():
        if pair in previous and pair not in affected:
            results[pair] = previous[pair]
        else:
            todo.append(pair)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(triples) >= PARALLEL_FROM else 1
    if workers > 1 and len(todo) > 1:
        results.update(_in_workers(session, todo, min(workers, len(todo))))
    else:
        results.update((pair, session.run(pair)) for pair in todo)
    ordered = {pair: results[pair] for pair in sorted(results, key=lambda p: (str(p[0]),
                                                                              str(p[1])))}
    if not (unchanged and not todo):
        _save(path, key, triples, ordered)
    conforms = all(r.conforms for r in ordered.values())
    report = _report(session, ordered.values(), conforms)
    return Outcome(Report(conforms=conforms, graph=report,
                          results=readable(report, session.graph, shapes, origin, locator)),
                   checked=len(todo), kept=len(results) - len(todo))


def _report(session: _Session, results: Iterable[PairResult], conforms: bool) -> Graph:
    """The validation report graph, as pyshacl makes it, from the pairs' results."""
    vg = Graph(bind_namespaces="core")
    for prefix, ns in session.sg.graph.namespace_manager.namespaces():
        vg.namespace_manager.bind(prefix, ns)
    report = BNode()
    vg.add((report, RDF.type, SH.ValidationReport))
    vg.add((report, SH.conforms, Literal(conforms)))
    for result in results:
        for node in result.results:
            vg.add((report, SH.result, node))
        for s, p, o in result.triples:
            vg.add((s, p, o))
    return vg
