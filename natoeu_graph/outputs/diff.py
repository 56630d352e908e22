"""`natoeu diff OLD NEW`: the facts added, removed and changed between two versions of the graph,
grouped by the entity they are about.

What is compared is what a release states: the ontology and the asserted data (the dumps
natoeu.nt and natoeu.ttl hold), not the OWL RL entailments, which follow from them. A side is a
release folder, a dump file, a project tree, or a git revision of the project.

Blank nodes have no names to compare, so each is compared by what it says: a fact whose object
is a blank node (a time interval, a signature) is the tree of facts under it, and two trees are
the same fact when their content is. A subject's value of a property that was replaced by one
other value is one change, not a removal and an addition: a changed end date is a change of the
interval, with the path to the date that differs; a changed label is a change of rdfs:label.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import OWL, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from ..core.errors import InputError, UsageError
from ..core.namespaces import GRAPH_INFERRED, INSTANCES_BASE, ONTOLOGY_IRI, new_graph
from ..core.resources import Resources
from .labels import curie, label

# A blank node's content: its (predicate, value) pairs, values themselves terms or trees.
Tree = frozenset[tuple[Node, "Value"]]
Value = Node | Tree
LeafPath = tuple[tuple[Node, ...], Node]
_FORMATS = {".nt": "nt", ".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld",
            ".trig": "trig", ".nq": "nquads", ".rdf": "xml", ".owl": "xml"}
RELEASE_DUMP = "natoeu.nt"  # a release folder's ontology and asserted data


@dataclass(frozen=True)
class Side:
    """One version: what the user named, the ontology and asserted data, its version if it
    states one (the ontology's owl:versionInfo)."""

    name: str
    graph: Graph
    version: str | None


@dataclass(frozen=True)
class Fact:
    prop: str
    value: str


@dataclass(frozen=True)
class Detail:
    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Change:
    prop: str
    old: str
    new: str
    details: tuple[Detail, ...] = ()


@dataclass
class EntityDiff:
    iri: str
    name: str  # prefixed name
    label: str
    local: bool  # one of the graph's own IRIs (a page on the site)
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)


@dataclass
class Diff:
    old: Side
    new: Side
    entities: list[EntityDiff]

    @property
    def equal(self) -> bool:
        return not self.entities

    def counts(self) -> dict[str, int]:
        return {"entities": len(self.entities),
                "added": sum(len(e.added) for e in self.entities),
                "removed": sum(len(e.removed) for e in self.entities),
                "changed": sum(len(e.changed) for e in self.entities)}


# ---- reading a side ----------------------------------------------------------------------------

def _version(g: Graph) -> str | None:
    values = sorted(str(v) for v in g.objects(URIRef(ONTOLOGY_IRI), OWL.versionInfo))
    return values[0] if values else None


def _parse_file(path: Path) -> Graph:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: cannot tell the RDF format from the file name",
                         hint="Give a dump named .nt, .ttl, .jsonld, .trig or .nq.")
    try:
        if fmt in ("trig", "nquads"):
            ds = Dataset()
            ds.parse(path, format=fmt)
            g = new_graph()
            for s, p, o, ctx in ds.quads((None, None, None, None)):
                if ctx is None or str(getattr(ctx, "identifier", ctx)) != str(GRAPH_INFERRED):
                    g.add((s, p, o))
            return g
        g = new_graph()
        g.parse(path, format=fmt)
        return g
    except Exception as exc:  # rdflib raises many kinds; one message with the file
        raise InputError(str(path), None, f"cannot read it as {fmt}: {exc}") from None


def _parse_tree(root: Path) -> Graph:
    from ..pipeline.build import parse_project

    ontology, _shapes, data, _origin = parse_project(Resources(root))
    g = new_graph()
    for part in (ontology, data):
        g.addN((s, p, o, g) for s, p, o in part)
    return g


def _git_tree(repo: Path, revision: str, into: Path) -> bool:
    """Unpack ontology/ and data/ of ``revision`` into ``into``; False if it names no commit."""
    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                              check=False, timeout=120)

    try:
        found = git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except (OSError, subprocess.TimeoutExpired):
        return False
    if found.returncode != 0:
        return False
    archive = git("archive", "--format=tar", found.stdout.decode().strip(), "ontology", "data")
    if archive.returncode != 0:
        raise UsageError(f"git revision {revision!r} has no ontology/ and data/ to compare",
                         hint=archive.stderr.decode("utf-8", "replace").strip()[:200])
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return True


def load_side(spec: str, res: Resources) -> Side:
    """A release folder, a dump, a project tree, or a git revision of ``res``'s repository."""
    path = Path(spec)
    if path.is_dir():
        in_site = sorted(path.glob(f"release/*/{RELEASE_DUMP}"))  # a `natoeu site` folder
        if (path / RELEASE_DUMP).is_file() or len(in_site) == 1:
            g = _parse_file(path / RELEASE_DUMP if (path / RELEASE_DUMP).is_file()
                            else in_site[0])
        elif (path / "ontology" / "natoeu.ttl").is_file() and (path / "data").is_dir():
            g = _parse_tree(path)
        else:
            raise UsageError(f"{spec}: not a release folder (no {RELEASE_DUMP}) nor a project "
                             "tree (no ontology/ and data/)",
                             hint="Give a folder written by `natoeu release`, a dump, or a git "
                             "revision such as HEAD~1 or a tag.")
        return Side(spec, g, _version(g))
    if path.is_file():
        g = _parse_file(path)
        return Side(spec, g, _version(g))
    with tempfile.TemporaryDirectory(prefix="natoeu-diff-") as tmp:
        if _git_tree(res.root, spec, Path(tmp)):
            g = _parse_tree(Path(tmp))
            return Side(f"{spec} (git)", g, _version(g))
    raise UsageError(f"{spec!r} is neither a file, a folder nor a git revision of "
                     f"{res.root}",
                     hint="Give a release folder, a dump (.nt, .ttl, .jsonld, .trig, .nq), a "
                     "project tree or a git revision such as HEAD~1.")


def side_of(name: str, graphs: Iterable[Graph]) -> Side:
    """A side from graphs in memory (the ontology and asserted data of a built graph)."""
    g = new_graph()
    for part in graphs:
        g.addN((s, p, o, g) for s, p, o in part)
    return Side(name, g, _version(g))


# ---- comparing ---------------------------------------------------------------------------------

def _tree(g: Graph, node: BNode, seen: frozenset[BNode] = frozenset()) -> Tree:
    if node in seen:  # a cycle of blank nodes: compared by its shape up to here
        return frozenset()
    inner = seen | {node}
    return frozenset((p, _tree(g, o, inner) if isinstance(o, BNode) else o)
                     for p, o in g.predicate_objects(node))


def _facts(g: Graph) -> dict[Node, set[tuple[Node, Value]]]:
    """Named subject -> its (predicate, value) facts, blank-node values as trees. Blank nodes
    that nothing names are listed under themselves, as trees, under the key None."""
    out: dict[Node, set[tuple[Node, Value]]] = {}
    referenced = {o for o in g.objects() if isinstance(o, BNode)}
    for s, p, o in g:
        if isinstance(s, BNode):
            if s not in referenced:
                out.setdefault(None, set()).add((p, _tree(g, s)))  # type: ignore[arg-type]
            continue
        out.setdefault(s, set()).add((p, _tree(g, o) if isinstance(o, BNode) else o))
    return out


def _leaves(value: Value, prefix: tuple[Node, ...] = ()) -> set[LeafPath]:
    if isinstance(value, frozenset):
        found: set[LeafPath] = set()
        for p, v in value:
            found |= _leaves(v, (*prefix, p))
        return found
    return {(prefix, value)}


def _similarity(a: Value, b: Value) -> int:
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return len(_leaves(a) & _leaves(b)) + 1
    if isinstance(a, Literal) and isinstance(b, Literal):
        return 1 if (a.language, a.datatype) == (b.language, b.datatype) else 0
    return 0


def _pairs(removed: list[Value], added: list[Value]) -> list[tuple[Value, Value]]:
    """Which removed value each added one replaced: one for one, else by likeness (shared
    leaves of blank-node trees, the language or datatype of literals)."""
    if len(removed) == 1 and len(added) == 1:
        return [(removed[0], added[0])]
    scored = sorted(((_similarity(r, a), i, j) for i, r in enumerate(removed)
                     for j, a in enumerate(added)), key=lambda x: (-x[0], x[1], x[2]))
    used_r: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if score > 0 and i not in used_r and j not in used_a:
            used_r.add(i)
            used_a.add(j)
            pairs.append((removed[i], added[j]))
    return pairs


class _Words:
    """Terms and trees as text, named with the graph's labels and prefixes."""

    def __init__(self, *graphs: Graph) -> None:
        self.graphs = graphs
        self.names = new_graph()

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            name = curie(self.names, node)
            if str(node).startswith(INSTANCES_BASE):
                words = self.label(node)
                return f"{name} ({words})" if words != name else name
            return name
        if isinstance(node, Literal):
            return node.n3(self.names.namespace_manager)
        return str(node)

    def label(self, node: Node) -> str:
        for g in self.graphs:
            if (node, None, None) in g:
                title = g.value(node, DCTERMS.title)  # the ontology has a title, no label
                return str(title) if title is not None and (node, RDFS.label, None) not in g \
                    else label(g, node)
        return curie(self.names, node)

    def value(self, value: Value) -> str:
        if isinstance(value, frozenset):
            parts = sorted(f"{curie(self.names, p)} {self.value(v)}" for p, v in value)
            return "[ " + " ; ".join(parts) + " ]"
        return self.term(value)

    def path(self, path: tuple[Node, ...]) -> str:
        return "/".join(curie(self.names, p) for p in path)


def _details(old: Value, new: Value, words: _Words) -> tuple[Detail, ...]:
    """Inside two blank-node trees: each leaf path whose value differs, was added or removed."""
    if not (isinstance(old, frozenset) and isinstance(new, frozenset)):
        return ()
    before: dict[tuple[Node, ...], set[Node]] = {}
    after: dict[tuple[Node, ...], set[Node]] = {}
    for leaves, target in ((_leaves(old), before), (_leaves(new), after)):
        for path, leaf in leaves:
            target.setdefault(path, set()).add(leaf)
    out = []
    for path in sorted(set(before) | set(after), key=words.path):
        gone = sorted(before.get(path, set()) - after.get(path, set()), key=str)
        came = sorted(after.get(path, set()) - before.get(path, set()), key=str)
        for i in range(max(len(gone), len(came))):
            out.append(Detail(words.path(path),
                              words.term(gone[i]) if i < len(gone) else None,
                              words.term(came[i]) if i < len(came) else None))
    return tuple(out)


def diff(old: Side, new: Side) -> Diff:
    words = _Words(new.graph, old.graph)
    before, after = _facts(old.graph), _facts(new.graph)
    entities = []
    for subject in set(before) | set(after):
        removed = before.get(subject, set()) - after.get(subject, set())
        added = after.get(subject, set()) - before.get(subject, set())
        if not removed and not added:
            continue
        iri = "" if subject is None else str(subject)
        entry = EntityDiff(
            iri=iri, name=curie(words.names, subject) if subject is not None else "",
            label=words.label(subject) if subject is not None else "(unnamed blank nodes)",
            local=iri.startswith((INSTANCES_BASE, ONTOLOGY_IRI)))
        for p in {p for p, _ in removed | added}:
            gone = sorted((v for q, v in removed if q == p), key=words.value)
            came = sorted((v for q, v in added if q == p), key=words.value)
            prop = curie(words.names, p)
            paired = _pairs(gone, came)
            for r, a in paired:
                entry.changed.append(Change(prop, words.value(r), words.value(a),
                                            _details(r, a, words)))
            done_r = {id(r) for r, _ in paired}
            done_a = {id(a) for _, a in paired}
            entry.removed += [Fact(prop, words.value(v)) for v in gone if id(v) not in done_r]
            entry.added += [Fact(prop, words.value(v)) for v in came if id(v) not in done_a]
        for items in (entry.added, entry.removed, entry.changed):
            items.sort(key=lambda x: (x.prop, getattr(x, "value", getattr(x, "old", ""))))
        entities.append(entry)
    entities.sort(key=lambda e: (e.iri == "", e.label.lower(), e.iri))
    return Diff(old, new, entities)


# ---- output ------------------------------------------------------------------------------------

def _side_words(side: Side) -> str:
    return side.name + (f" (version {side.version})" if side.version else "")


def to_text(d: Diff) -> str:
    c = d.counts()
    lines = [f"old: {_side_words(d.old)}", f"new: {_side_words(d.new)}"]
    if d.equal:
        lines.append("no difference: the same ontology and asserted facts")
        return "\n".join(lines) + "\n"
    lines.append(f"{c['entities']} entit{'y' if c['entities'] == 1 else 'ies'} differ: "
                 f"{c['added']} fact(s) added, {c['removed']} removed, {c['changed']} changed")
    for e in d.entities:
        lines.append("")
        lines.append(f"{e.label} ({e.name})" if e.name and e.name != e.label else e.label)
        for f in e.added:
            lines.append(f"  + {f.prop} {f.value}")
        for f in e.removed:
            lines.append(f"  - {f.prop} {f.value}")
        for ch in e.changed:
            if ch.details:
                lines.append(f"  ~ {ch.prop}:")
                for det in ch.details:
                    lines.append(f"      {det.path}: {det.old or '(none)'} -> "
                                 f"{det.new or '(none)'}")
            else:
                lines.append(f"  ~ {ch.prop}: {ch.old} -> {ch.new}")
    return "\n".join(lines) + "\n"


def to_json(d: Diff) -> dict[str, Any]:
    def side(s: Side) -> dict[str, Any]:
        return {"name": s.name, "version": s.version, "triples": len(s.graph)}

    return {
        "old": side(d.old), "new": side(d.new), "equal": d.equal, "counts": d.counts(),
        "entities": [{
            "iri": e.iri or None, "name": e.name or None, "label": e.label,
            "added": [{"property": f.prop, "value": f.value} for f in e.added],
            "removed": [{"property": f.prop, "value": f.value} for f in e.removed],
            "changed": [{"property": ch.prop, "old": ch.old, "new": ch.new,
                         "details": [{"path": det.path, "old": det.old, "new": det.new}
                                     for det in ch.details]} for ch in e.changed],
        } for e in d.entities],
    }
