"""Offline HTML documentation: the ontology's terms and, since this graph is mostly individuals,
a page per class listing its individuals and a page per individual with its facts and sources.

Generated with Jinja2 rather than pyLODE: pyLODE 3.4.1 (current on PyPI) fails on import, 3.3.4
documents only the terms (none of the ~500 individuals) and pulls in httpx; one generator gives
one style and links between terms and individuals. No script, no web font, no CDN: a page opens
from disk with the network off. Output is deterministic: every list is sorted, nothing is dated.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from rdflib import OWL, RDF, RDFS, BNode, Literal, URIRef
from rdflib.term import Node

from ..core.errors import UsageError
from ..core.namespaces import INSTANCES_BASE, ONTOLOGY_IRI, PREFIXES, TERMS_BASE
from ..pipeline.build import Built
from . import diagram
from .labels import curie, label, open_end

MARKER = ".natoeu-docs"  # marks a directory as ours, so regenerating may replace it
_SKOS = PREFIXES["skos"]
_PROV = PREFIXES["prov"]
_TIME = PREFIXES["time"]
DEFINITION = URIRef(_SKOS + "definition")
SOURCE_PROPS = (URIRef(_PROV + "wasDerivedFrom"), URIRef(_PROV + "wasQuotedFrom"))
PAGE = URIRef(PREFIXES["foaf"] + "page")
# Types that make a node a term of a vocabulary, not an individual of the domain.
_TERM_NAMESPACES = (str(OWL), str(RDF), str(RDFS))
_SPAN_PROPS = ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp")


@dataclass
class Ref:
    """A value on a page: text, a link (internal: root-relative; external: absolute), or a
    blank node shown inline as nested facts."""

    text: str
    href: str | None = None
    external: bool = False
    title: str = ""
    facts: list[Fact] = field(default_factory=list)
    note: str = ""  # shown after the link, e.g. a time span


@dataclass
class Fact:
    prop: Ref
    values: list[Ref]


@dataclass
class Row:
    """An individual in a class listing."""

    ref: Ref
    types: list[Ref]
    when: str
    sources: int


class Site:
    """What the pages need from the graph: names, page paths and links."""

    def __init__(self, built: Built) -> None:
        self.onto = built.ontology
        self.facts = built.ontology + built.asserted  # what was said, without entailments
        self.full = built.merged()
        self.classes = diagram.own_classes(self.onto)
        self.props = sorted(p for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
                            for p in self.onto.subjects(RDF.type, t)
                            if isinstance(p, URIRef) and str(p).startswith(TERMS_BASE))
        self.individuals = sorted(
            {s for s in self.facts.subjects(RDF.type) if isinstance(s, URIRef)
             and not any(str(t).startswith(_TERM_NAMESPACES)
                         for t in self.facts.objects(s, RDF.type))}, key=str)
        listed = {t for i in self.individuals for t in self.facts.objects(i, RDF.type)}
        own = set(self.classes)
        self.listed_classes = sorted({c for c in listed if isinstance(c, URIRef)} | own,
                                     key=lambda c: (c not in own, str(c)))
        self.pages = self._page_names()

    def _page_names(self) -> dict[URIRef, str]:
        """Root-relative page path per class and individual; unique, stable, file-safe."""
        pages: dict[URIRef, str] = {}
        taken: set[str] = set()
        for folder, nodes in (("class", self.listed_classes), ("id", self.individuals)):
            for node in nodes:
                base = _slug(str(node)[len(INSTANCES_BASE):] if str(node).startswith(
                    INSTANCES_BASE) else curie(self.full, node))
                name, n = base, 1
                while name.lower() in taken:  # case-insensitive file systems
                    n += 1
                    name = f"{base}-{n}"
                taken.add(name.lower())
                pages[node] = f"{folder}/{name}.html"
        return pages

    def name(self, node: Node) -> str:
        return label(self.full, node)

    def ref(self, node: Node) -> Ref:
        """A link to the node's page, the property's section, or out to its IRI."""
        if isinstance(node, Literal):
            return Ref(str(node), title=curie(self.full, node.datatype) if node.datatype else "")
        if isinstance(node, BNode):
            return self._bnode(node)
        assert isinstance(node, URIRef)
        text, title = self.name(node), curie(self.full, node)
        if node in self.pages:
            return Ref(text, self.pages[node], title=title)
        if node in self.props:
            return Ref(text, f"properties.html#{_anchor(node)}", title=title)
        if str(node).startswith(("http://", "https://")):
            return Ref(text, str(node), external=True, title=str(node))
        return Ref(text, title=title)

    def ref_when(self, node: Node) -> Ref:
        ref = self.ref(node)
        ref.note = self.when(node)
        return ref

    def _bnode(self, node: BNode, depth: int = 0) -> Ref:
        when = self.span_text(node)
        if when or depth > 2:
            return Ref(when or "…")
        return Ref("", facts=self.facts_of(node, depth + 1))

    def instant_text(self, node: Node) -> str:
        for local in _SPAN_PROPS:
            value = self.facts.value(node, URIRef(_TIME + local))
            if value is not None:
                return str(value)
        by = self.facts.value(node, URIRef(PREFIXES["natoeu"] + "notAfter"))
        return f"by {by}" if by is not None else ""

    def span_text(self, node: Node) -> str:
        """An OWL-Time interval or instant in words; '' if the node is neither."""
        begin = self.facts.value(node, URIRef(_TIME + "hasBeginning"))
        if begin is None:
            return self.instant_text(node)
        end = self.facts.value(node, URIRef(_TIME + "hasEnd"))
        start = self.instant_text(begin)
        if end is not None:
            return f"{start} to {self.instant_text(end)}"
        since = f"begun {start}" if start.startswith("by ") else f"from {start}"
        return f"{since} ({open_end(self.facts, node)})"

    def when(self, node: Node) -> str:
        """A date or time span stated directly on the node, for listings."""
        for p, o in sorted(self.facts.predicate_objects(node), key=lambda po: str(po[0])):
            if isinstance(o, BNode) and (text := self.span_text(o)):
                return text
            if p == URIRef(PREFIXES["dcterms"] + "date"):
                return str(o)
        return ""

    def facts_of(self, node: Node, depth: int = 0) -> list[Fact]:
        """The node's asserted statements, grouped by property, sorted (rdf:type shown apart)."""
        grouped: dict[Node, list[Node]] = defaultdict(list)
        for p, o in self.facts.predicate_objects(node):
            if p != RDF.type or isinstance(node, BNode):
                grouped[p].append(o)
        return [Fact(self.ref(p), [self._value(o, depth) for o in _sorted(objs)])
                for p, objs in sorted(grouped.items(), key=lambda kv: self._prop_key(kv[0]))]

    def _value(self, node: Node, depth: int) -> Ref:
        return self._bnode(node, depth) if isinstance(node, BNode) else self.ref(node)

    def _prop_key(self, prop: Node) -> tuple[int, str, str]:
        # label and definition first, provenance last, the rest by name
        order = {RDFS.label: 0, DEFINITION: 1, RDFS.comment: 3, **{p: 4 for p in SOURCE_PROPS}}
        return (order.get(prop, 2), self.name(prop).lower(),  # type: ignore[call-overload]
                str(prop))

    def _name_key(self, node: Node) -> tuple[str, str]:
        # two nodes may share a label (Afghanistan the state and the place): the IRI breaks ties
        return self.name(node), str(node)

    def incoming(self, node: URIRef) -> list[Fact]:
        """Statements of other individuals that point at this one, grouped by property."""
        grouped: dict[Node, list[Node]] = defaultdict(list)
        for s, p in self.facts.subject_predicates(node):
            if isinstance(s, URIRef) and s in self.pages and p != RDF.type:
                grouped[p].append(s)
        return [Fact(self.ref(p), [self.ref_when(s) for s in sorted(subjects, key=self._name_key)])
                for p, subjects in sorted(grouped.items(), key=lambda kv: self._name_key(kv[0]))]

    def sources(self, node: URIRef) -> list[tuple[Ref, Ref | None]]:
        """Each source of the node with its web page, if it has one."""
        found = {o for p in SOURCE_PROPS for o in self.facts.objects(node, p)}
        out = []
        for src in sorted(found, key=self._name_key):
            page = self.facts.value(src, PAGE)
            out.append((self.ref(src), Ref(str(page), str(page), external=True)
                        if isinstance(page, URIRef) else None))
        return out

    def types(self, node: Node) -> list[Ref]:
        return [self.ref(t) for t in sorted(self.facts.objects(node, RDF.type), key=str)]

    def members(self, cls: URIRef) -> list[Row]:
        """Individuals of the class, with subclasses' (entailed types), by name."""
        found = [i for i in self.full.subjects(RDF.type, cls) if i in self.pages
                 and i not in self.listed_classes]
        return [Row(self.ref(i), self.types(i), self.when(i),
                    sum(1 for p in SOURCE_PROPS for _ in self.facts.objects(i, p)))
                for i in sorted(found, key=lambda i: (self.name(i).lower(), str(i)))]

    def values(self, node: Node, prop: URIRef) -> list[Ref]:
        return [self.ref(o) for o in _sorted(self.onto.objects(node, prop))]

    def subjects(self, prop: URIRef, node: Node) -> list[Ref]:
        return [self.ref(s) for s in _sorted(self.onto.subjects(prop, node))
                if isinstance(s, URIRef)]


def _sorted(nodes: object) -> list[Node]:
    return sorted(nodes, key=lambda n: (isinstance(n, BNode), str(n)))  # type: ignore[call-overload]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "node"


def _anchor(node: Node) -> str:
    return _slug(str(node).rsplit("#", 1)[-1])


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("natoeu_graph", "outputs/templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)


def _term(site: Site, node: URIRef) -> dict[str, object]:
    """What the ontology says about a class or property."""
    noun = "properties" if node in site.props else "classes"
    return {
        "iri": str(node), "curie": curie(site.full, node), "anchor": _anchor(node),
        "supers_name": f"super-{noun}", "subs_name": f"sub-{noun}",
        "label": site.name(node),
        "definitions": site.values(node, DEFINITION), "comments": site.values(node, RDFS.comment),
        "types": site.values(node, RDF.type),
        "supers": site.values(node, RDFS.subClassOf) + site.values(node, RDFS.subPropertyOf),
        "subs": site.subjects(RDFS.subClassOf, node) + site.subjects(RDFS.subPropertyOf, node),
        "domains": site.values(node, RDFS.domain), "ranges": site.values(node, RDFS.range),
        "inverses": site.values(node, OWL.inverseOf) + site.subjects(OWL.inverseOf, node),
        "range_of": site.subjects(RDFS.range, node), "domain_of": site.subjects(RDFS.domain, node),
        "uses": sum(1 for _ in site.facts.subject_objects(node)),
    }


def _title(site: Site) -> str:
    title = site.onto.value(URIRef(ONTOLOGY_IRI), URIRef(PREFIXES["dcterms"] + "title"))
    return str(title) if title is not None else site.name(URIRef(ONTOLOGY_IRI))


def _header(site: Site) -> list[Fact]:
    return site.facts_of(URIRef(ONTOLOGY_IRI))


def _pages(site: Site, diagrams: list[dict[str, str]]
           ) -> dict[str, tuple[str, dict[str, object]]]:
    """Root-relative path -> (template, context) for every page."""
    classes = [{"term": _term(site, c), "ref": site.ref(c), "count": len(site.members(c))}
               for c in site.listed_classes]
    pages: dict[str, tuple[str, dict[str, object]]] = {
        "index.html": ("index.html.j2", {
            "root": "", "title": _title(site), "header": _header(site),
            "classes": classes, "own": set(map(str, site.classes)),
            "props": [_term(site, p) for p in site.props],
            "individuals": len(site.individuals), "diagrams": diagrams}),
        "properties.html": ("properties.html.j2", {
            "root": "", "title": "Properties", "props": [_term(site, p) for p in site.props]}),
    }
    for c in site.listed_classes:
        own = c in site.classes
        pages[site.pages[c]] = ("class.html.j2", {
            "root": "../", "title": site.name(c), "term": _term(site, c), "own": own,
            "rows": (rows := site.members(c)), "dated": any(r.when for r in rows)})
    for i in site.individuals:
        pages[site.pages[i]] = ("individual.html.j2", {
            "root": "../", "title": site.name(i), "iri": str(i), "types": site.types(i),
            "when": site.when(i), "facts": site.facts_of(i), "incoming": site.incoming(i),
            "sources": site.sources(i)})
    return pages


def _section_images(built: Built, ontology_text: str | None
                    ) -> tuple[list[dict[str, str]], dict[str, bytes]]:
    """One picture per section of the ontology file (split further where one would be wider
    than the page), as (title, file) entries for the index and the files' bytes."""
    if ontology_text is not None:
        parts = diagram.sections(ontology_text)
    else:  # no file to read sections from: the classes in name order, split by width alone
        parts = [("Classes", [str(c)[len(TERMS_BASE):] for c in diagram.own_classes(
            built.ontology)])]
    entries, files = [], {}
    for number, (title, names) in enumerate(parts, 1):
        pieces = diagram.section_svgs(built, names)
        for k, (_, dot, svg) in enumerate(pieces, 1):
            stem = f"diagrams/{number:02d}-{k}" if len(pieces) > 1 else f"diagrams/{number:02d}"
            shown = f"{title} ({k} of {len(pieces)})" if len(pieces) > 1 else title
            entries.append({"title": shown, "file": f"{stem}.svg"})
            files[f"{stem}.svg"] = svg
            files[f"{stem}.dot"] = dot.encode("utf-8")
    return entries, files


def write_docs(built: Built, out_dir: Path, ontology_text: str | None = None) -> list[Path]:
    """Write the documentation into ``out_dir`` and return the files written, sorted.

    The site is built in a fresh directory beside ``out_dir`` and then moved into place, so a
    reader never sees half of it. An existing ``out_dir`` is replaced only if it is empty or an
    earlier output of this function. Raises ToolMissingError when Graphviz is not installed.
    """
    out_dir = out_dir.resolve()
    _check_target(out_dir)
    site = Site(built)
    dot = diagram.to_dot(built)
    images = {"ontology.svg": diagram.render(dot, "svg"), "ontology.png":
              diagram.render(dot, "png")}
    diagrams, more = _section_images(built, ontology_text)
    images.update(more)
    env = _env()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for rel, data in sorted(images.items()):
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)
        (tmp / "ontology.dot").write_text(dot, encoding="utf-8")
        (tmp / "style.css").write_bytes(_template_bytes(env, "style.css"))
        for rel, (template, context) in sorted(_pages(site, diagrams).items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            html = env.get_template(template).render(**context)
            path.write_text(html, encoding="utf-8")
        (tmp / MARKER).write_text("generated by natoeu docs; this directory may be replaced\n")
        tmp.chmod(0o755)
        written = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / p for p in written]


def _template_bytes(env: jinja2.Environment, name: str) -> bytes:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0].encode("utf-8")


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (
            any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise UsageError(f"{out_dir} exists and is not an earlier `natoeu docs` output",
                         hint="Give a new or empty directory; it is replaced as a whole.")


def _swap(new: Path, out_dir: Path) -> None:
    """Put ``new`` at ``out_dir``; the old copy is moved aside first, then removed."""
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
        out_dir.rename(old / "site")
    new.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
