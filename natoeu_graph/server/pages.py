"""HTML pages for people, rendered on the server with jinja2 (autoescaped; no CDN, no build)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..core.namespaces import ONTOLOGY_IRI, TERMS_BASE
from ..outputs.labels import label
from ..pipeline.build import Built
from .entity import Ref, local_href, ref

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def same(path: str) -> str:
    return path


def render(template: str, **values: Any) -> str:
    """``url`` maps the server's own paths (/id/X, /static/...) to hrefs: the server keeps them,
    `natoeu site` turns them into relative file names; ``site`` is set for the static site."""
    values.setdefault("alternates", [])
    values.setdefault("url", same)
    values.setdefault("site", None)
    return _env.get_template(template).render(**values)


@dataclass
class Table:
    """A result set for display: cells are Refs (links for our IRIs)."""

    vars: list[str] = field(default_factory=list)
    rows: list[list[Ref | None]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: str = ""
    error: str = ""
    downloads: list[tuple[str, str]] = field(default_factory=list)


def _cell(built: Built, term: dict[str, str] | None) -> Ref | None:
    if term is None:
        return None
    if term["type"] == "uri":
        node = URIRef(term["value"])
        if local_href(node):
            return ref(built.merged(), node)
        return Ref(term["value"], href=term["value"], external=True)
    if term["type"] == "bnode":
        return Ref("_:" + term["value"])
    lang = term.get("xml:lang", "")
    return Ref(term["value"], note="" if lang in ("", "en") else "@" + lang)


def table(built: Built, reply: dict[str, Any], downloads: list[tuple[str, str]]) -> Table:
    """Turn a worker reply (SPARQL JSON results, or an error) into a Table."""
    if reply["status"] != 200:
        try:
            message = json.loads(reply["body"])["message"]
        except (ValueError, KeyError):
            message = "the query failed"
        return Table(error=f"Error {reply['status']}: {message}")
    doc = json.loads(reply["body"])
    truncated = reply["headers"].get("X-Natoeu-Truncated", "")
    if "boolean" in doc:
        return Table(boolean=bool(doc["boolean"]))
    names = doc["head"]["vars"]
    rows = [[_cell(built, b.get(n)) for n in names] for b in doc["results"]["bindings"]]
    return Table(vars=names, rows=rows, truncated=truncated, downloads=downloads)


@dataclass
class Term:
    name: str
    label: str
    kind: str
    definition: str
    comment: str
    supers: list[Ref]
    is_class: bool


def ontology_terms(built: Built) -> dict[str, Any]:
    """The ontology page: its header and one block per natoeu: term, anchored by local name."""
    o, g = built.ontology, built.merged()
    kinds = {OWL.Class: "class", OWL.ObjectProperty: "object property",
             OWL.DatatypeProperty: "datatype property", SKOS.Concept: "concept",
             SKOS.ConceptScheme: "concept scheme", OWL.AnnotationProperty: "annotation property"}
    terms = []
    for t in sorted({s for s in o.subjects() if isinstance(s, URIRef)
                     and str(s).startswith(TERMS_BASE)}):
        types = set(o.objects(t, RDF.type))
        kind = next((v for k, v in kinds.items() if k in types), "term")
        supers = [ref(g, x) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                  for x in sorted(o.objects(t, p), key=str) if isinstance(x, URIRef)]
        terms.append(Term(
            name=str(t)[len(TERMS_BASE):], label=label(o, t), kind=kind,
            definition=_text(o, t, SKOS.definition), comment=_text(o, t, RDFS.comment),
            supers=supers, is_class=OWL.Class in types))
    onto = URIRef(ONTOLOGY_IRI)
    return {"iri": ONTOLOGY_IRI, "title": _text(o, onto, DCTERMS.title) or "natoeu ontology",
            "description": _text(o, onto, DCTERMS.description), "terms": terms}


def _text(g: Any, s: Any, p: Any) -> str:
    values = sorted((v for v in g.objects(s, p) if isinstance(v, Literal)),
                    key=lambda v: (v.language != "en", str(v)))
    return str(values[0]) if values else ""
