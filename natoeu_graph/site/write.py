"""`natoeu site -o DIR`: every page and document of the graph as static files.

The pages come from the server's own renderer and templates (server.render.Renderer), given
file names for links (site.links) instead of the server's paths, so a page on the site is the
page `natoeu serve` shows, and an entity's Turtle, JSON-LD and N-Triples files hold the bytes
the server sends for them. What needs a server there runs in the browser here: the canned
questions and the query page run SPARQL on Oxigraph's WebAssembly build over the release's
N-Quads dump; search reads a prebuilt index.

The site is written in a new folder beside DIR and switched in whole; DIR is replaced only if it
is empty or an earlier output of this command. The same graph gives the same bytes (nothing
depends on the clock: the timeline is drawn as of the ontology's dcterms:modified date).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..core.errors import UsageError
from ..core.namespaces import (
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
    INSTANCES_BASE,
    ONTOLOGY_IRI,
    TERMS_BASE,
    new_graph,
)
from ..core.resources import Resources
from ..outputs import jsonld
from ..outputs.describe import DUMP_DESCRIPTIONS, MEDIA_TYPES
from ..outputs.diff import Diff
from ..outputs.export import json_bytes, sorted_nt
from ..outputs.labels import label
from ..outputs.release import CONTEXT_FILE, release_files, version
from ..outputs.timeline import image as timeline_image
from ..pipeline.build import Built
from ..server import entity
from ..server.app import CSP
from ..server.config import Limits
from ..server.querypage import examples
from ..server.render import EXAMPLE, Renderer, safe_local
from ..sparql.prefixes import standard_prefixes, with_prefixes
from ..sparql.queries import CannedQuery, list_queries
from ..stores.proven import OXIGRAPH_EQUAL
from . import htaccess
from .links import DOC_FORMATS, relative

MARKER = ".natoeu-site"
_STATIC = Path(__file__).parent / "static"
_SERVER_STATIC = Path(__file__).parent.parent / "server" / "static"
_DOCS_CSS = Path(__file__).parent.parent / "outputs" / "templates" / "style.css"
DATA_FILE = "natoeu-inferred.nq"  # what the browser's engine loads: all three named graphs
_EXT = {"html": "html", "ttl": "ttl", "jsonld": "jsonld", "nt": "nt"}


def site_csp(meta: bool = False) -> str:
    """The server's Content-Security-Policy, plus 'wasm-unsafe-eval' (compiling WebAssembly;
    JavaScript eval stays refused). In a <meta> element frame-ancestors has no effect (browsers
    warn), so it is left out there; the .htaccess header carries it."""
    parts = []
    for directive in CSP.split(";"):
        words = directive.split()
        if words and words[0] == "script-src":
            words.append("'wasm-unsafe-eval'")
        if words and not (meta and words[0] == "frame-ancestors"):
            parts.append(" ".join(words))
    return "; ".join(parts)


@dataclass(frozen=True)
class SiteInfo:
    """What every page's frame says about the site (the templates read ``site``)."""

    version: str
    csp: str
    changes: str | None  # the previous release's version, when a changes page is written


@dataclass(frozen=True)
class Written:
    root: Path
    files: list[str]
    entities: int
    terms: int
    skipped: list[str]  # IRIs whose local name cannot be a file name (none expected)


def _iris(built: Built, base: str) -> set[URIRef]:
    g = built.merged()
    nodes = set(g.subjects()) | set(g.objects())
    return {n for n in nodes if isinstance(n, URIRef) and str(n).startswith(base)
            and len(str(n)) > len(base)}


def _day(built: Built) -> dt.date:
    """The release's day: the ontology's dcterms:modified (so the same graph gives the same
    timeline on any day), else the earliest date that cannot be wrong, today."""
    modified = built.ontology.value(URIRef(ONTOLOGY_IRI), DCTERMS.modified)
    if isinstance(modified, Literal):
        return dt.date.fromisoformat(str(modified)[:10])
    return dt.date.today()


def _spec(q: CannedQuery) -> dict[str, Any]:
    proven = q.name in OXIGRAPH_EQUAL
    note = ("Its answers are proven equal to those of natoeu query." if proven else
            "natoeu query answers this question with rdflib, and Oxigraph's answer is not proven "
            "equal to it: values may be typed differently.")
    return {"name": q.name, "text": with_prefixes(q.text), "external": q.external,
            "proven": proven, "engine_note": note,
            "params": [{"name": p.name, "kind": p.kind, "default": p.default,
                        "variable": p.variable} for p in q.params]}


def _index(built: Built, entities: list[str], terms: list[str]) -> bytes:
    """The search index, also the label table of the answers' cells: one entry per entity and
    ontology term (IRI, label, other names, first type, page)."""
    g = built.merged()
    entries = []
    for base, locals_, page in ((INSTANCES_BASE, entities, "id/{}.html"),
                                (TERMS_BASE, terms, "ontology/{}.html")):
        for local in locals_:
            iri = URIRef(base + local)
            alts = sorted({str(o) for p in (SKOS.altLabel, RDFS.label) for o in g.objects(iri, p)
                           if isinstance(o, Literal)} - {label(g, iri)})
            types = sorted((t for t in g.objects(iri, RDF.type)
                            if str(t).startswith(TERMS_BASE) or str(t).startswith(str(OWL))),
                           key=lambda t: (not str(t).startswith(TERMS_BASE), str(t)))
            entry: dict[str, Any] = {"i": str(iri), "l": label(g, iri),
                                     "h": page.format(local)}
            if alts:
                entry["a"] = alts
            if types:
                entry["t"] = label(g, types[0])
            entries.append(entry)
    text = json.dumps({"entries": entries}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return f"window.natoeuIndex = {text};\n".encode()


def _config(release: str) -> bytes:
    lock = json.loads((_STATIC / "oxigraph" / "oxigraph.lock.json").read_text(encoding="utf-8"))
    cfg = {"data": f"../../release/{release}/{DATA_FILE}",
           "graphs": [str(GRAPH_ONTOLOGY), str(GRAPH_ASSERTED), str(GRAPH_INFERRED)],
           "prefixes": standard_prefixes(), "oxigraph": lock["version"]}
    return ("// generated by natoeu site\nexport default "
            + json.dumps(cfg, indent=2, sort_keys=True) + ";\n").encode()


def _static_files() -> dict[str, bytes]:
    files = {"static/style.css": _DOCS_CSS.read_bytes(),
             "static/server.css": (_SERVER_STATIC / "server.css").read_bytes(),
             "static/predeclare.js": (_SERVER_STATIC / "predeclare.js").read_bytes()}
    for folder, prefix in ((_SERVER_STATIC / "yasgui", "static/yasgui/"),
                           (_STATIC / "oxigraph", "static/oxigraph/"),
                           (_STATIC / "site", "static/site/")):
        for path in sorted(folder.iterdir()):
            if path.is_file():
                files[prefix + path.name] = path.read_bytes()
    files["static/site/prefixes.json"] = json_bytes(standard_prefixes())
    return files


class _Site:
    def __init__(self, built: Built, res: Resources, context: dict[str, Any],
                 previous: Diff | None) -> None:
        self.built = built
        self.res = res
        self.version = version(built)
        self.canned = {q.name: q for q in list_queries(res.queries_dir)}
        self.diff = previous
        old = previous.old.version if previous is not None else None
        self.info = SiteInfo(self.version, site_csp(meta=True),
                             (old or previous.old.name) if previous is not None else None)
        self.renderer = Renderer(built, self.canned, context, Limits(), links=relative,
                                 site=self.info, formats=DOC_FORMATS)
        self.files: dict[str, bytes] = {}

    def page(self, path: str, template: str, **values: Any) -> None:
        name = relative("/")(path).partition("?")[0]
        self.files[name] = self.renderer.render(path, template, **values).encode()

    def documents(self, path: str, call: Callable[[str], dict[str, Any]]) -> None:
        for fmt in DOC_FORMATS:
            reply = call(fmt)
            if reply["status"] != 200:
                raise RuntimeError(f"{path}: the renderer answered {reply['status']}")
            self.files[f"{path.strip('/')}.{_EXT[fmt]}"] = reply["body"]


def changes_page(renderer: Renderer, d: Diff) -> bytes:
    """The changes page: what ``d`` found, by entity, each linked to its page."""
    def href(iri: str) -> str | None:
        return "/ontology" if iri == ONTOLOGY_IRI else \
            entity.local_href(URIRef(iri)) if iri else None

    entries = [{**e.__dict__, "href": href(e.iri)} for e in d.entities]
    return renderer.render("/changes", "changes.html.j2", title="Changes", d=d,
                           counts=d.counts(), entities=entries).encode()


def build_site(built: Built, res: Resources, context: dict[str, Any], context_bytes: bytes,
               previous: Diff | None = None, base_url: str | None = None,
               remember: bool = False) -> tuple[dict[str, bytes], int, int, list[str]]:
    """Every file of the site, by path from its root; the entity and term counts; the IRIs
    left out (their local name cannot be a file name)."""
    site = _Site(built, res, context, previous)
    r = site.renderer
    files = site.files
    old_version = previous.old.version if previous is not None else None
    release = release_files(built, context, context_bytes, old_version, remember)
    for name, data in release.items():
        files[f"release/{site.version}/{name}"] = data
    files["void.ttl"] = release["void.ttl"]
    void = new_graph().parse(data=release["void.ttl"], format="turtle")
    files["void.nt"] = sorted_nt(void)
    files["void.jsonld"] = json_bytes(jsonld.compact(void, context))
    files[CONTEXT_FILE] = context_bytes

    skipped: list[str] = []
    entities: list[str] = []
    terms: list[str] = []
    for base, found in ((INSTANCES_BASE, entities), (TERMS_BASE, terms)):
        for iri in sorted(_iris(built, base), key=str):
            local = str(iri)[len(base):]
            (found if safe_local(local) else skipped).append(local if safe_local(local)
                                                             else str(iri))
    for local in entities:
        site.documents(f"/id/{local}", lambda fmt, x=local: r(  # type: ignore[misc]
            "resource", {"local": x, "fmt": fmt, "html_errors": True, "reply": None}))
    for name in terms:
        site.documents(f"/ontology/{name}", lambda fmt, x=name: r.page_term(  # type: ignore[misc]
            x, fmt))
    site.documents("/ontology", lambda fmt: r("ontology", {"fmt": fmt, "reply": None}))
    files["index.html"] = r("home", {"reply": None})["body"]
    files["classes.html"] = r("classes", {"reply": None})["body"]
    for ref, _ in entity.classes(built):
        name = str(ref.title)[len(TERMS_BASE):]
        files[f"classes/{name}.html"] = r("class", {"name": name, "reply": None})["body"]
    files["queries.html"] = r("queries", {"reply": None})["body"]
    for q in site.canned.values():
        site.page(f"/queries/{q.name}", "site-canned.html.j2", title=q.summary or q.name, q=q,
                  values={}, table=None, spec=_spec(q))
    config = {"version": site.version, "examples": examples(site.canned),
              "example": EXAMPLE,
              "pages": {INSTANCES_BASE: "id/LOCAL.html", TERMS_BASE: "ontology.html#LOCAL"}}
    site.page("/query", "site-query.html.j2", title="SPARQL query", config=config)
    files["static/site/index.js"] = _index(built, entities, terms)
    files["static/site/config.js"] = _config(site.version)
    site.page("/search", "search.html.j2", title="Search", entries=len(entities) + len(terms))
    day = _day(built)
    files["timeline.svg"] = timeline_image(built, "svg", day)
    site.page("/timeline", "timeline.html.j2", title="Timeline", day=day.isoformat())
    dumps = [{"name": n, "href": f"/release/{site.version}/{n}", "type": MEDIA_TYPES[n],
              "size": len(release[n]), "text": DUMP_DESCRIPTIONS[n]} for n in MEDIA_TYPES]
    site.page("/downloads", "downloads.html.j2", title="Downloads", version=site.version,
              previous=old_version, files=dumps)
    if previous is not None:
        files["changes.html"] = changes_page(r, previous)
    files.update(_static_files())
    files[".htaccess"] = htaccess.site_rules(site_csp())
    if base_url is not None:
        files["w3id/.htaccess"] = htaccess.w3id_rules(base_url, site.version)
    return files, len(entities), len(terms), skipped


def check_target(out_dir: Path) -> None:
    """Refuse a folder that is neither new, empty, nor an earlier site (before any work)."""
    out_dir = out_dir.resolve()
    if out_dir.exists() and (not out_dir.is_dir() or (
            any(out_dir.iterdir()) and not (out_dir / MARKER).exists())):
        raise UsageError(f"{out_dir} exists and is not an earlier `natoeu site` output",
                         hint="Give a new or empty directory; it is replaced as a whole.")


def write_site(built: Built, res: Resources, out_dir: Path, context: dict[str, Any],
               context_bytes: bytes, previous: Diff | None = None,
               base_url: str | None = None, remember: bool = False) -> Written:
    """Write the site into ``out_dir`` (new, empty, or an earlier site), switched in whole."""
    out_dir = out_dir.resolve()
    check_target(out_dir)
    files, n_entities, n_terms, skipped = build_site(built, res, context, context_bytes,
                                                     previous, base_url, remember)
    files[MARKER] = b"generated by natoeu site; this directory may be replaced\n"
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for rel, data in sorted(files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)  # served: readable by the web server's user
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            out_dir.rename(old / "site")
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Written(out_dir, sorted(files), n_entities, n_terms, skipped)
