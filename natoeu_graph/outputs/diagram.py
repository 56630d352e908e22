"""The ontology's class diagram, drawn with Graphviz `dot`.

Nodes are the ontology's classes and the standard classes they specialise. The ontology declares
ranges but (on purpose: they would infer types) almost no domains, so relation edges come from
declared domain/range pairs and, where those are missing, from how the asserted data uses each
property between classes. Properties used from many classes (provenance, confidence, time) would
draw a star over the whole picture; they are listed in a note instead.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from ..core.errors import ToolMissingError
from ..core.namespaces import TERMS_BASE
from ..pipeline.build import Built
from .labels import curie

# A property used from, or pointing to, more classes than this is cross-cutting: noted, not drawn.
MAX_CLASSES = 5
FORMATS = ("svg", "png")

Edge = tuple[URIRef, URIRef]  # (subject class, object class)


def _own(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(TERMS_BASE)


def own_classes(ontology: Graph) -> list[URIRef]:
    """The ontology's own classes, sorted."""
    return sorted(c for c in ontology.subjects(RDF.type, OWL.Class)
                  if isinstance(c, URIRef) and _own(c))


def _class_of(data: Graph, node: Node) -> URIRef | None:
    """The node's asserted class, preferring the ontology's own (data assert one type each)."""
    types = sorted(t for t in data.objects(node, RDF.type) if isinstance(t, URIRef))
    own = [t for t in types if _own(t)]
    chosen = own or types
    return chosen[0] if chosen else None


def _usage(built: Built) -> dict[URIRef, set[Edge]]:
    """Per property, the (subject class, object class) pairs: declared, else as used."""
    onto, data = built.ontology, built.asserted
    usage: dict[URIRef, set[Edge]] = defaultdict(set)
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        domain, rng = onto.value(prop, RDFS.domain), onto.value(prop, RDFS.range)
        if isinstance(prop, URIRef) and isinstance(domain, URIRef) and isinstance(rng, URIRef):
            usage[prop].add((domain, rng))
    for s, p, o in data:
        if p == RDF.type or isinstance(o, Literal) or not isinstance(p, URIRef):
            continue
        cs, co = _class_of(data, s), _class_of(data, o)
        if cs is not None and co is not None and _own(cs):
            usage[p].add((cs, co))
    return usage


def _split(usage: dict[URIRef, set[Edge]]) -> tuple[dict[Edge, list[URIRef]], list[URIRef]]:
    """Edges to draw (grouped by class pair) and the cross-cutting properties."""
    edges: dict[Edge, list[URIRef]] = defaultdict(list)
    crossing: list[URIRef] = []
    for prop in sorted(usage):
        pairs = usage[prop]
        if max(len({s for s, _ in pairs}), len({o for _, o in pairs})) > MAX_CLASSES:
            crossing.append(prop)
            continue
        for pair in pairs:
            edges[pair].append(prop)
    return edges, crossing


def _name(g: Graph, term: URIRef) -> str:
    """Own terms by local name (the diagram is about them), others by CURIE."""
    return term[len(TERMS_BASE):] if _own(term) else curie(g, term)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node_lines(g: Graph, classes: Iterable[URIRef], own: bool) -> list[str]:
    style = ('shape=box, style="rounded,filled", fillcolor="#dbe8f6", color="#2b5d8f"' if own
             else 'shape=box, style="rounded,dashed", color="#777777", fontcolor="#444444"')
    return [f"  {_quote(str(c))} [label={_quote(_name(g, c))}, {style}];" for c in classes]


def to_dot(built: Built) -> str:
    """The diagram as DOT source, deterministic (every list sorted)."""
    onto = built.ontology
    g = built.merged()  # for labels and prefixes of terms used only in the data
    own = own_classes(onto)
    supers = sorted({(c, s) for c in own for s in onto.objects(c, RDFS.subClassOf)
                     if isinstance(s, URIRef)})
    edges, crossing = _split(_usage(built))
    used = {c for pair in edges for c in pair} | {s for _, s in supers}
    foreign = sorted(c for c in used if c not in own)
    lines = ["digraph natoeu {",
             '  graph [rankdir=LR, newrank=true, fontname="Helvetica", fontsize=11, nodesep=0.25, '
             'ranksep=0.7, bgcolor="white"];',
             '  node [fontname="Helvetica", fontsize=11, height=0.3];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    lines += _node_lines(g, own, own=True) + _node_lines(g, foreign, own=False)
    lines += [f"  {_quote(str(c))} -> {_quote(str(s))} [arrowhead=empty, color=\"#2b5d8f\", "
              f"style=bold];" for c, s in supers]
    for (s, o), props in sorted(edges.items()):
        text = "\n".join(_name(g, p) for p in props)
        lines.append(f"  {_quote(str(s))} -> {_quote(str(o))} [label={_quote(text)}];")
    if crossing:
        note = "Used by many classes (not drawn):\n" + "\n".join(_name(g, p) for p in crossing)
        left = _quote(note + "\n").replace("\\n", "\\l")  # \l: left-justified lines
        lines.append(f"  note [shape=note, label={left}, fontsize=10, "
                     'style=filled, fillcolor="#fffbe6"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


_SECTION = re.compile(r"^#{5,}\n# (?P<title>[^\n]+)\n#{5,}$", re.M)
_CLASS = re.compile(r"^natoeu:([A-Za-z][A-Za-z0-9]*) a owl:Class\b", re.M)


def sections(ontology_text: str) -> list[tuple[str, list[str]]]:
    """The ontology file's themed sections (a title framed by lines of #) with the local names
    of the classes declared in each, in file order; sections without classes are left out."""
    heads = list(_SECTION.finditer(ontology_text))
    out = []
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = ontology_text[head.end(): nxt.start() if nxt else len(ontology_text)]
        names = _CLASS.findall(body)
        if names:
            out.append((head["title"].strip(), names))
    return out


def section_dot(built: Built, names: list[str]) -> str:
    """One section's picture: its classes, what they specialise and where their properties
    point, left to right, so a handful of classes reads at page width."""
    onto = built.ontology
    g = built.merged()
    mine = [URIRef(TERMS_BASE + n) for n in names]
    chosen = set(mine)
    supers = sorted({(c, s) for c in mine for s in onto.objects(c, RDFS.subClassOf)
                     if isinstance(s, URIRef)})
    edges, _ = _split(_usage(built))
    drawn = sorted((pair, props) for pair, props in edges.items() if pair[0] in chosen)
    others = sorted(({s for _, s in supers} | {o for (_, o), _ in drawn}) - chosen)
    lines = ["digraph section {",
             '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.2, '
             'ranksep=0.45, bgcolor="white"];',
             '  node [fontname="Helvetica", fontsize=11, height=0.3];',
             '  edge [fontname="Helvetica", fontsize=10, color="#555555"];']
    lines += _node_lines(g, mine, own=True)
    lines += [line.replace('color="#2b5d8f"', 'color="#777777"', 1)
              for line in _node_lines(g, others, own=False)]
    lines += [f"  {_quote(str(c))} -> {_quote(str(s))} [arrowhead=empty, color=\"#2b5d8f\", "
              f"style=bold];" for c, s in supers]
    for (s, o), props in drawn:
        text = "\n".join(_name(g, p) for p in props)
        lines.append(f"  {_quote(str(s))} -> {_quote(str(o))} [label={_quote(text)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# The docs page is at most 72em of 15px wide less its padding: about 1035 CSS px, 776 pt. An
# SVG no wider is shown at its own size, where 11 pt class names are 14.7 px.
PAGE_WIDTH_PT = 776
_WIDTH = re.compile(rb'<svg width="([0-9.]+)pt"')


def svg_width(svg: bytes) -> float:
    """The width Graphviz gave an SVG, in points."""
    m = _WIDTH.search(svg)
    if m is None:
        raise ValueError("not a Graphviz SVG")
    return float(m[1])


def section_svgs(built: Built, names: list[str],
                 limit: float = PAGE_WIDTH_PT) -> list[tuple[list[str], str, bytes]]:
    """(classes, DOT, SVG) for a section, split in halves (in file order) until each picture is
    at most ``limit`` points wide, or holds one class."""
    dot = section_dot(built, names)
    svg = render(dot, "svg")
    if svg_width(svg) <= limit or len(names) == 1:
        return [(names, dot, svg)]
    half = (len(names) + 1) // 2
    return section_svgs(built, names[:half], limit) + section_svgs(built, names[half:], limit)


def render(dot_source: str, fmt: str) -> bytes:
    """Run Graphviz `dot`; raise ToolMissingError if it is not installed."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagram format {fmt!r}")
    exe = shutil.which("dot")
    if exe is None:
        raise ToolMissingError(
            "Graphviz `dot` is needed to draw the ontology diagram but was not found",
            hint="Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
                 "install graphviz) and make sure `dot` is on PATH.")
    proc = subprocess.run([exe, f"-T{fmt}"], input=dot_source.encode("utf-8"),
                          capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise ToolMissingError(f"Graphviz `dot` failed: {proc.stderr.decode(errors='replace')}",
                               hint="Check the Graphviz installation (`dot -V`).")
    return proc.stdout
