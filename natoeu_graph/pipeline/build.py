"""Build the graph once (parse, validate, reason) and cache the result on disk.

The cache is keyed by a hash of every input file, the package's own code and the versions of
the libraries that shape the result; any change rebuilds it. It is written atomically with a
checksum, so a half-written or corrupt cache is detected and rebuilt, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rdflib import OWL, Dataset, Graph
from rdflib.term import Node

from ..core import checked
from ..core.errors import NotConformingError
from ..core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, new_graph
from ..core.resources import Resources, cache_dir
from ..core.termtable import TermTable, decode_table
from . import memo
from .parse import SubjectFiles, canonical_triples, parse_turtle, read_files, read_turtle
from .recording import RecordingStore

if TYPE_CHECKING:
    from .validate import Report

T = TypeVar("T")
_FORMAT = b"natoeu-cache-2\n"
_LIBS = ("rdflib", "owlrl", "pyshacl", "reasonable", "pyoxigraph")

Triples = list[tuple]
# a part of the graph: triples in a list, or as the cache file holds them (_Encoded)
Part = Triples | Any
# the named graphs of the dataset, in the order of Built's parts
DATASET_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)


class Built:
    """The three parts of the graph: ontology, asserted data, entailments.

    Each part is a Graph made on first use from its triples, so a warm query, which needs only
    the union, never builds the parts.
    """

    def __init__(self, ontology: Graph | Part, asserted: Graph | Part,
                 inferred: Graph | Part, key: str, validated: bool,
                 from_cache: bool = False) -> None:
        self._parts: dict[str, Graph | Part] = {
            "ontology": ontology, "asserted": asserted, "inferred": inferred}
        self.key = key
        self.validated = validated
        self.from_cache = from_cache
        # set when the parts were parsed in this process (not read from the cache): what
        # checks need to name the file and line of a node
        self.origin: SubjectFiles | None = None
        self.shapes: Graph | None = None
        self._merged: Graph | None = None
        self._dataset: Dataset | None = None

    def _part(self, name: str) -> Graph:
        part = self._parts[name]
        if not isinstance(part, Graph):
            part = self._parts[name] = _graph(part)
        return part

    @property
    def ontology(self) -> Graph:
        return self._part("ontology")

    @property
    def asserted(self) -> Graph:
        return self._part("asserted")

    @property
    def inferred(self) -> Graph:
        return self._part("inferred")

    def size(self, name: str) -> int:
        """Triples in one part, without making a Graph of it."""
        return len(self._parts[name])

    def triples(self, name: str) -> Triples:
        return [tuple(t) for t in self._parts[name]]

    def merged(self) -> Graph:
        """Ontology + asserted + inferred in one graph (built once, then shared)."""
        if self._merged is None:
            g = new_graph()
            for part in self._parts.values():
                g.addN((s, p, o, g) for s, p, o in part)
            self._merged = g
        return self._merged

    def dataset(self) -> Dataset:
        """The RDF dataset queries run over: each part in its named graph (GRAPH_ONTOLOGY,
        GRAPH_ASSERTED, GRAPH_INFERRED) and, as the default graph, their RDF merge.

        A plain Graph has no named graphs, so rdflib fails any query with GRAPH on it; this is
        what every query (CLI, server) is evaluated against. rdflib takes the union of the named
        graphs as the default graph (``SPARQL_DEFAULT_GRAPH_UNION``, on by default), which is
        the same default graph the Oxigraph store and ``--endpoint`` use.
        """
        if self._dataset is None:
            ds = Dataset(default_union=True)
            for prefix, ns in new_graph().namespaces():
                ds.bind(prefix, ns, override=True)
            for name, part in zip(DATASET_GRAPHS, self._parts.values(), strict=True):
                ds.addN((s, p, o, ds.graph(name)) for s, p, o in part)
            self._dataset = ds
        return self._dataset


def cache_key(res: Resources, validated: bool) -> str:
    """Hash of the inputs, the package code and the library versions."""
    h = hashlib.sha256()
    for path in res.input_files():
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() if path.exists() else b"<missing>")
        h.update(b"\0")
    h.update(memo.code_digest().encode())
    for lib in _LIBS:
        try:
            version = metadata.version(lib)
        except metadata.PackageNotFoundError:
            version = "absent"
        h.update(f"{lib}={version}\0".encode())
    from .reason.budget import engine_name

    h.update(f"python={platform.python_version()};validated={validated};"
             f"reasoner={engine_name()}".encode())
    return h.hexdigest()


def _cache_file(key: str) -> Path:
    return cache_dir() / f"graph-{key[:32]}.json"


KEEP_CACHE_FILES = 8  # the newest graphs kept (several project trees may share the directory)


def _save(built: Built) -> None:
    """The three parts as JSON (a table of terms, triples as indexes into it): data only, so a
    planted or damaged cache file can at most cause a rebuild, never run code."""
    _write(built.key, _encode(built))


def _encode(built: Built) -> bytes:
    terms = TermTable()
    parts = {name: [terms.ids(triple) for triple in built.triples(name)]
             for name in ("ontology", "asserted", "inferred")}
    return json.dumps({"key": built.key, "validated": built.validated, "terms": terms.table,
                       **parts}, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _write(key: str, payload: bytes) -> None:
    with contextlib.suppress(OSError):  # an unwritable cache only costs speed
        target = _cache_file(key)
        checked.write(target, _FORMAT, payload)
        _prune(target)


def _prune(keep: Path) -> None:
    """Remove cache files beyond the newest KEEP_CACHE_FILES, and any of an older format."""
    folder = keep.parent
    for old in folder.glob("graph-*.pickle"):
        with contextlib.suppress(OSError):
            old.unlink()
    files = sorted(folder.glob("graph-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP_CACHE_FILES:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()


def _graph(triples: Iterable[tuple], into: Graph | None = None) -> Graph:
    g = new_graph() if into is None else into
    g.addN((s, p, o, g) for s, p, o in triples)
    return g


class _Encoded:
    """A part of a cached graph as the file holds it (indexes into a term table), made into
    rdflib terms on first iteration: a command answered from remembered results (an unchanged
    `natoeu check`) needs only the parts' sizes. The table is shared by the three parts and
    made once."""

    def __init__(self, table: _Table, rows: list[list[int]]) -> None:
        self.table = table
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        terms = self.table.terms()
        return ((terms[a], terms[b], terms[c]) for a, b, c in self.rows)


class _Table:
    def __init__(self, specs: list[list[str]]) -> None:
        self.specs = specs
        self._terms: list[Node] | None = None

    def terms(self) -> list[Node]:
        if self._terms is None:
            self._terms = decode_table(self.specs)
        return self._terms


def _well_formed(specs: Any, parts: dict[str, Any]) -> bool:
    """Whether the file's structure holds (a damaged one is rebuilt, not used halfway)."""
    if not isinstance(specs, list) or not all(
            isinstance(t, list) and t and t[0] in ("u", "b", "l")
            and len(t) == (4 if t[0] == "l" else 2) and all(isinstance(x, str) for x in t)
            for t in specs):
        return False
    n = len(specs)
    return all(isinstance(rows, list) and all(
        isinstance(r, list) and len(r) == 3
        and all(isinstance(i, int) and 0 <= i < n for i in r) for r in rows)
        for rows in parts.values())


def _load(key: str) -> Built | None:
    payload = checked.read(_cache_file(key), _FORMAT)
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        if data.get("key") != key:
            return None
        rows = {name: data[name] for name in ("ontology", "asserted", "inferred")}
        if not _well_formed(data["terms"], rows):
            return None
        table = _Table(data["terms"])
        validated = bool(data["validated"])
    except Exception:  # anything unexpected in the file: rebuild, as for a damaged one
        return None
    return Built(ontology=_Encoded(table, rows["ontology"]),
                 asserted=_Encoded(table, rows["asserted"]),
                 inferred=_Encoded(table, rows["inferred"]), key=key, validated=validated,
                 from_cache=True)


def parse_project(res: Resources) -> tuple[Graph, Graph, Graph, SubjectFiles]:
    """Parse ontology, shapes and data; blank nodes get canonical labels (the shapes' too, so
    that a validation remembered by pipeline.incremental names the same shape nodes)."""
    root = res.root
    ontology = canonical_triples(read_turtle(res.ontology, str(res.ontology.relative_to(root))))
    shapes = canonical_triples(read_turtle(res.shapes, str(res.shapes.relative_to(root))))
    data, origin = read_files(res.data_files(), root)
    # the data on a RecordingStore (reads unrecorded: a memory store): a validation in a
    # forked child records on its copy of it (pipeline.incremental, ``consume``)
    return (_graph(ontology), _graph(shapes),
            _graph(canonical_triples(data), Graph(store=RecordingStore())), origin)


def check(res: Resources, use_cache: bool = True) -> tuple[Report, SubjectFiles]:
    """Validate the asserted graph (remembered pair results reused where ``use_cache``)."""
    ontology, shapes, data, origin = parse_project(res)
    return validate_parsed(res, ontology, shapes, data, origin, use_cache), origin


def validate_parsed(res: Resources, ontology: Graph, shapes: Graph, data: Graph,
                    origin: SubjectFiles, use_cache: bool, consume: bool = False) -> Report:
    """SHACL over ontology + data, plus unknown terms (pipeline.terms): incrementally with the
    cache (pipeline.incremental), else every shape at once (pipeline.validate), the reference
    both are tested against."""
    from .locate import Locator
    from .terms import describe, find_unknown

    locator = Locator(res.root, data, ontology, str(res.ontology.relative_to(res.root)), origin)
    if use_cache:
        from .incremental import validate as incremental  # pyshacl is slow to import

        report = incremental(ontology, data, shapes, origin, res.root, cache_dir(),
                             locator=locator, consume=consume).report
    else:
        from .validate import validate

        report = validate(ontology + data, shapes, origin, locator=locator)
    found = find_unknown((ontology, shapes, data), ontology, shapes)
    if found:
        files = [str(p.relative_to(res.root)) for p in res.input_files()]
        report.unknown = describe(found, ontology, locator, files, shapes)
        report.conforms = False
    return report


def _report_value(report: Report) -> dict[str, Any]:
    return {"conforms": report.conforms, "text": report.text(),
            "turtle": report.graph.serialize(format="turtle")}


def validation(res: Resources, use_cache: bool = True) -> dict[str, Any]:
    """The validation report as ``{"conforms", "text", "turtle"}``, computed once per inputs.

    The key is the validated graph's cache key, which hashes every file the report depends on;
    a cold build that validated has already remembered it.
    """
    key = cache_key(res, True)
    if use_cache:
        hit = memo.load(cache_dir(), "validation", key)
        if isinstance(hit, dict) and {"conforms", "text", "turtle"} <= hit.keys():
            return hit
    report, _ = check(res, use_cache)
    value = _report_value(report)
    if use_cache:
        memo.save(cache_dir(), "validation", key, value)
    return value


def build(res: Resources, *, validated: bool = True, use_cache: bool = True) -> Built:
    """Return the reasoned graph, from the cache when its key matches.

    Raises NotConformingError when ``validated`` and the data do not conform to the shapes.
    """
    return build_then(res, None, validated=validated, use_cache=use_cache)[0]


def _validation_value(res: Resources, ontology: Graph, shapes: Graph, data: Graph,
                      origin: SubjectFiles, use_cache: bool) -> dict[str, Any]:
    """validate_parsed, as what build keeps of it (run in a forked child: core.forked)."""
    from ..core.forked import in_child

    report = validate_parsed(res, ontology, shapes, data, origin, use_cache, consume=in_child())
    return {**_report_value(report), "unknown": len(report.unknown),
            "errors": len(report.errors)}


def build_then(res: Resources, then: Callable[[Built], T] | None, *, validated: bool = True,
               use_cache: bool = True) -> tuple[Built, T | None]:
    """``build``, and ``then(built)``: work on the graph that may start before its validation
    has ended (`natoeu check` runs its gate so). Reasoning runs in one forked child and
    validation in another while this process waits for the first and then runs ``then``; its
    result counts only if the data conform (else NotConformingError, as from build)."""
    key = cache_key(res, validated)
    if use_cache:
        cached = _load(key)
        if cached is not None:
            return cached, then(cached) if then is not None else None
    from ..core.forked import Forked
    from .reason.budget import start_inference

    ontology, shapes, data, origin = parse_project(res)

    def reasoning_input() -> Graph:
        # Called in the forked worker, whose copy of the data graph is its own: the ontology
        # joins it there (a new graph of both cost the worker 0.14 s). owl:sameAs links stay
        # out of the closure: owlrl would copy every triple of a linked node onto its
        # Wikidata and DBpedia IRIs.
        data.addN((s, p, o, data) for s, p, o in ontology)
        data.remove((None, OWL.sameAs, None))
        return data

    # the worker makes its own input: this process does not wait for it
    inference = start_inference(reasoning_input, ontology=ontology,
                                size=len(ontology) + len(data))
    # validate once: a report `natoeu validate` made for these very inputs (same key) that
    # conforms is not made again; a report made here is kept for `natoeu validate`
    earlier = memo.load(cache_dir(), "validation", key) if validated and use_cache else None
    validation = None
    if validated and not (isinstance(earlier, dict) and earlier.get("conforms") is True):
        validation = Forked(_validation_value, res, ontology, shapes, data, origin, use_cache)
    extra: T | None = None
    failure: BaseException | None = None
    try:
        inferred = inference.result()
        built = Built(ontology=ontology, asserted=data, inferred=inferred, key=key,
                      validated=validated)
        built.origin, built.shapes = origin, shapes
        if then is not None:
            try:
                extra = then(built)
            except Exception as exc:  # said after the validation's verdict, which comes first
                failure = exc
        # encoded while the validation may still run; written only once the data conform
        payload = _encode(built) if use_cache else b""
        if validation is not None:
            value = validation.result()
            if use_cache:
                memo.save(cache_dir(), "validation", key,
                          {k: value[k] for k in ("conforms", "text", "turtle")})
            if not value["conforms"]:
                terms = f"{value['unknown']} unknown term(s), " if value["unknown"] else ""
                raise NotConformingError(
                    f"the graph does not conform to the shapes ({terms}{value['errors']} "
                    "violation(s))", value["text"],
                    hint="Fix the data at the lines shown, or pass --no-validate to debug.",
                )
    except BaseException:
        inference.cancel()
        if validation is not None:
            validation.cancel()
        raise
    if use_cache:
        _write(built.key, payload)
    if failure is not None:
        raise failure
    return built, extra


def with_external(built: Built, res: Resources, external: Graph, *, validated: bool) -> Built:
    """The graph plus external data for one call, validated as a whole when ``validated``.

    External triples join the asserted part; they are not reasoned over (an untrusted owl:sameAs
    chain can make owlrl run for minutes). Nothing is cached.
    """
    asserted = new_graph()
    asserted.addN((s, p, o, asserted) for s, p, o in built.asserted)
    asserted.addN((s, p, o, asserted) for s, p, o in external)
    if validated:
        from .validate import validate

        shapes = parse_turtle(res.shapes, str(res.shapes.relative_to(res.root)))
        report = validate(built.ontology + asserted, shapes)
        if not report.conforms:
            raise NotConformingError(
                f"the graph with the --with data does not conform to the shapes "
                f"({len(report.errors)} violation(s)); nothing was merged",
                report.text(),
                hint="Fix the external data, or pass --no-validate to debug.",
            )
    return Built(ontology=built.ontology, asserted=asserted, inferred=built.inferred,
                 key=built.key + "+external", validated=validated)
