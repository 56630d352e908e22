"""Pages and linked-data documents, rendered inside the cheap workers, never in the event loop.

An entity's JSON-LD takes ~300 ms and a results page grows with its rows; run in the event loop
they stalled every other request. Each function here returns a worker Reply (status, media
type, body, headers); the app caches 200s, since the graph does not change while serving.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import Graph, URIRef

from ..core.namespaces import INSTANCES_BASE, TERMS_BASE
from ..outputs import jsonld
from ..outputs.export import json_bytes, sorted_nt
from ..pipeline.build import DATASET_GRAPHS, Built
from ..sparql.queries import CannedQuery
from . import entity, formats, pages
from .config import Limits
from .protocol import GRAPH_TYPES, HTML, RDFLIB_FORMAT, RESULT_TYPES, media_type
from .service import service_description

Reply = dict[str, Any]
# A page's own server path -> how that page writes the server's paths as hrefs (identity on the
# server; relative file names in the static site)
Links = Callable[[str], Callable[[str], str]]
DOC_TYPES = {"html": HTML} | {k: GRAPH_TYPES[k] for k in ("ttl", "jsonld", "nt", "rdfxml")}
EXAMPLE = ("PREFIX natoeu: <https://w3id.org/natoeu/ontology#>\n"
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
           "SELECT ?state ?name WHERE {\n  ?state a natoeu:State ; rdfs:label ?name .\n"
           "  FILTER(LANG(?name) = \"en\")\n}\nORDER BY ?name\nLIMIT 50")


def html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return {"status": status, "type": "text/html; charset=utf-8", "body": body.encode(),
            "headers": headers or {}}


def error_page(status: int, title: str, message: str) -> Reply:
    return html(pages.render("error.html.j2", title=title, message=message), status)


def safe_local(local: str) -> bool:
    return bool(local) and all(c.isalnum() or c in "-_." for c in local)


class Renderer:
    """What the workers render; built in the server before the workers fork.

    `natoeu site` renders its pages with the same object: ``links`` and ``site`` change only
    how hrefs are written and what the page frame says; ``formats`` are the documents offered.
    """

    def __init__(self, built: Built, canned: dict[str, CannedQuery], context: Any,
                 limits: Limits, links: Links | None = None, site: Any = None,
                 formats: tuple[str, ...] = tuple(DOC_TYPES)) -> None:
        self.built = built
        self.graph = built.merged()
        self.asserted = built.asserted + built.ontology  # once: a copy per page cost 80 ms
        self.canned = canned
        self.context = context
        self.limits = limits
        self.links: Links = links or (lambda page: pages.same)
        self.site = site
        self.formats = formats

    def render(self, page: str, template: str, **values: Any) -> str:
        """``template`` for the page at server path ``page``."""
        return pages.render(template, url=self.links(page), site=self.site, **values)

    def __call__(self, name: str, args: dict[str, Any]) -> Reply:
        return getattr(self, "page_" + name)(**args)

    def warm(self) -> None:
        """Build the lazy parts (merged graph, term tables, templates) before the fork."""
        for name, args in (("home", {}), ("ontology", {"fmt": "html"}), ("classes", {}),
                           ("queries", {}), ("editor", {}),
                           *[("service", {"endpoint": "http://localhost/sparql", "fmt": f})
                             for f in GRAPH_TYPES]):
            self(name, {**args, "reply": None})

    # ---- linked data -----------------------------------------------------------------------

    def _document(self, path: str, fmt: str, g: Graph, page: Any) -> Reply:
        alternates = [{"name": f, "type": DOC_TYPES[f][0], "href": f"{path}?format={f}"}
                      for f in self.formats]
        headers = {
            "Content-Location": f"{path}?format={fmt}",
            "Link": ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"'
                              for a in alternates if a["name"] != fmt),
        }
        if fmt == "html":
            return html(page(alternates), headers=headers)
        if fmt == "jsonld":
            return {"status": 200, "type": "application/ld+json",
                    "body": json_bytes(jsonld.compact(g, self.context)), "headers": headers}
        ctype = media_type(fmt)
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        body = sorted_nt(g) if fmt == "nt" else g.serialize(format=RDFLIB_FORMAT[fmt]).encode()
        bad = formats.xml_unsafe(body) if fmt == "rdfxml" else None
        if bad is not None:
            return {"status": 406, "type": "application/json", "headers": {},
                    "body": json.dumps({"error": "not_representable", "message":
                                        f"the description contains {bad}, which XML 1.0 "
                                        "cannot carry; ask for Turtle or N-Triples"}).encode()}
        return {"status": 200, "type": ctype, "body": body, "headers": headers}

    def page_resource(self, local: str, fmt: str, html_errors: bool, reply: Any) -> Reply:
        iri = URIRef(INSTANCES_BASE + local)
        g = self.graph
        if not safe_local(local) or ((iri, None, None) not in g and (None, None, iri) not in g):
            if html_errors:
                return error_page(404, "Not found", "The graph says nothing about this IRI.")
            return {"status": 404, "type": "application/json", "headers": {},
                    "body": json.dumps({"error": "unknown_resource",
                                        "message": "the graph says nothing about this IRI"})
                    .encode()}
        def page(alts: list[dict[str, str]]) -> str:  # the view only for the page: 5 ms
            view = entity.view(self.built, iri, self.asserted)
            assert view is not None
            return self.render(f"/id/{local}", "entity.html.j2", title=view.title, e=view,
                               alternates=alts)

        return self._document(f"/id/{local}", fmt, entity.description(g, iri), page)

    def page_term(self, name: str, fmt: str, reply: Any = None) -> Reply:
        """An ontology term's own document (the ontology/NAME files of `natoeu site`)."""
        iri = URIRef(TERMS_BASE + name)
        view = entity.view(self.built, iri, self.asserted) if safe_local(name) else None
        if view is None:
            return error_page(404, "Not found", "The ontology has no term by that name.")
        return self._document(
            f"/ontology/{name}", fmt, entity.description(self.graph, iri),
            lambda alts: self.render(f"/ontology/{name}", "entity.html.j2", title=view.title,
                                     e=view, alternates=alts))

    def page_ontology(self, fmt: str, reply: Any) -> Reply:
        info = pages.ontology_terms(self.built)
        return self._document("/ontology", fmt, self.built.ontology,
                              lambda alts: self.render("/ontology", "ontology.html.j2",
                                                       alternates=alts, **info))

    def page_classes(self, reply: Any) -> Reply:
        return html(self.render("/classes", "classes.html.j2", title="Classes",
                                 classes=entity.classes(self.built)))

    def page_class(self, name: str, reply: Any) -> Reply:
        cls = URIRef(TERMS_BASE + name)
        if not safe_local(name) or (cls, None, None) not in self.built.ontology:
            return error_page(404, "Not found", "There is no class by that name.")
        info = pages.ontology_terms(self.built)
        term = next((t for t in info["terms"] if t.name == name), None)
        return html(self.render(
            f"/classes/{name}", "class.html.j2", title=term.label if term else name, name=name,
            definition=term.definition if term else "",
            members=entity.instances(self.built, cls)))

    def page_service(self, endpoint: str, fmt: str, reply: Any) -> Reply:
        """The SPARQL service description of the endpoint at ``endpoint``."""
        built = self.built
        g = service_description(endpoint, len(self.graph), {
            str(name): built.size(part) for name, part in zip(
                DATASET_GRAPHS, ("ontology", "asserted", "inferred"), strict=True)})
        return {"status": 200, "type": media_type(fmt), "headers": {},
                "body": g.serialize(format=RDFLIB_FORMAT[fmt]).encode("utf-8")}

    def page_home(self, reply: Any) -> Reply:
        return html(self.render("/", "home.html.j2", title="NATO–EU relations",
                                 triples=len(self.graph)))

    def page_queries(self, reply: Any) -> Reply:
        return html(self.render("/queries", "queries.html.j2", title="Canned questions",
                                 queries=list(self.canned.values())))

    # ---- pages around a query's answer (``reply`` is the worker's answer as SPARQL JSON) -----

    def page_canned(self, name: str, given: dict[str, str], values: dict[str, str],
                    reply: Reply) -> Reply:
        q = self.canned[name]
        qs = urlencode(list(given.items()))
        downloads = [(f, f"/queries/{name}?{qs}{'&' if qs else ''}format={f}")
                     for f in RESULT_TYPES]
        table = pages.table(self.built, reply, downloads)
        return html(self.render(f"/queries/{name}", "canned.html.j2", title=q.summary or q.name,
                                q=q, values=values, table=table), reply["status"])

    def page_editor(self, query: str = "", reply: Reply | None = None) -> Reply:
        table, graph_text, status = None, None, 200
        if query.strip() and reply is not None:
            status = reply["status"]
            if reply["type"].startswith("text/turtle"):
                graph_text = reply["body"].decode("utf-8")
            else:
                q = quote(query)
                downloads = [(f, f"/sparql?query={q}&format={f}") for f in RESULT_TYPES]
                table = pages.table(self.built, reply, downloads)
        return html(self.render(
            "/query", "editor.html.j2", title="SPARQL query", query=query or EXAMPLE, table=table,
            graph_text=graph_text, timeout=f"{self.limits.timeout:g}",
            max_rows=self.limits.max_rows), status)
