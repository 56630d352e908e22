"""`natoeu site`: the files it writes, their bytes (deterministic, the server's own), its links
(relative, so the site works from any address and from disk), the vendored engine, versions
and the changes page. Counts are derived from the graph, never typed in."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import OWL, RDF, Literal, URIRef
from refresh_oxigraph import LOCK
from refresh_oxigraph import check as check_oxigraph
from server_util import NATOEU

from natoeu_graph.core.context import load_context
from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.namespaces import INSTANCES_BASE, ONTOLOGY_IRI, TERMS_BASE, new_graph
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs.describe import DATASET, PROV, release_iri
from natoeu_graph.outputs.diff import Diff, EntityDiff, Fact, Side, side_of
from natoeu_graph.outputs.release import release_files, version
from natoeu_graph.pipeline.build import Built, build
from natoeu_graph.server.config import Limits
from natoeu_graph.server.render import Renderer
from natoeu_graph.site.links import relative
from natoeu_graph.site.write import SiteInfo, Written, build_site, changes_page, site_csp
from natoeu_graph.sparql.queries import list_queries

pytest_plugins = ["site_fixtures"]  # the site, its static server, the browser

DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")


def _iris(built: Built, base: str) -> set[str]:
    g = built.merged()
    return {str(n)[len(base):] for n in set(g.subjects()) | set(g.objects())
            if isinstance(n, URIRef) and str(n).startswith(base) and len(str(n)) > len(base)}


def test_every_entity_iri_has_a_page_and_three_rdf_files(site: Written, built: Built) -> None:
    entities = _iris(built, INSTANCES_BASE)
    assert site.skipped == [] and site.entities == len(entities) > 0
    for local in entities:
        for ext in ("html", "ttl", "jsonld", "nt"):
            assert (site.root / "id" / f"{local}.{ext}").is_file(), (local, ext)
    written = {p.stem for p in (site.root / "id").iterdir()}
    assert written == entities


def test_every_ontology_term_likewise(site: Written, built: Built) -> None:
    terms = _iris(built, TERMS_BASE)
    assert site.terms == len(terms) > 0
    for name in terms:
        for ext in ("html", "ttl", "jsonld", "nt"):
            assert (site.root / "ontology" / f"{name}.{ext}").is_file(), (name, ext)
    for ext in ("html", "ttl", "jsonld", "nt"):
        assert (site.root / f"ontology.{ext}").is_file()


def test_the_rdf_files_describe_their_iri(site: Written, built: Built) -> None:
    for local in sorted(_iris(built, INSTANCES_BASE)):
        iri = URIRef(INSTANCES_BASE + local)
        g = new_graph().parse(site.root / "id" / f"{local}.nt", format="nt")
        assert (iri, None, None) in g or (None, None, iri) in g, local
    for local in ("FIN", "joint-declaration-2016"):
        iri = URIRef(INSTANCES_BASE + local)
        nt = new_graph().parse(site.root / "id" / f"{local}.nt", format="nt")
        for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld")):
            other = new_graph().parse(site.root / "id" / f"{local}.{ext}", format=fmt)
            assert len(other) == len(nt) and (iri, RDF.type, None) in other


def test_documents_are_the_servers_bytes(site: Written, built: Built, res: Resources) -> None:
    """One renderer: the server's renderer (its own links) gives the same RDF documents."""
    canned = {q.name: q for q in list_queries(res.queries_dir)}
    server = Renderer(built, canned, load_context(res.context), Limits())
    for local in ("FIN", "membership-fin-nato", "joint-declaration-2016"):
        for fmt in ("ttl", "jsonld", "nt"):
            reply = server("resource", {"local": local, "fmt": fmt, "html_errors": False,
                                        "reply": None})
            assert reply["body"] == (site.root / "id" / f"{local}.{fmt}").read_bytes()
    # the page is the server's page, its links written as files
    page = server("resource", {"local": "FIN", "fmt": "html", "html_errors": True,
                               "reply": None})["body"].decode()
    site_page = (site.root / "id" / "FIN.html").read_text(encoding="utf-8")
    url = relative("/id/FIN")
    for path in sorted(set(re.findall(r'href="(/id/[^"]+)"', page))):
        if path.endswith("format=rdfxml"):  # the site writes HTML, Turtle, JSON-LD, N-Triples
            assert "rdfxml" not in site_page
            continue
        assert f'href="{url(path)}"' in site_page, path


def test_links_are_relative_and_point_at_files(site: Written) -> None:
    pages = sorted(site.root.rglob("*.html"))
    missing = []
    for page in pages[::7]:  # a spread of every kind of page
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'(?:href|src|action)="/', text), page
        for link in re.findall(r'(?:href|src)="(?![a-z][a-z0-9+.-]*:)([^"#?]+)[^"]*"', text):
            if not (page.parent / link).exists():
                missing.append((str(page.relative_to(site.root)), link))
    assert missing == []


def test_the_search_index_lists_every_entity_and_term(site: Written) -> None:
    text = (site.root / "static" / "site" / "index.js").read_text(encoding="utf-8")
    doc = json.loads(text[text.index("{"):text.rindex("}") + 1])
    assert len(doc["entries"]) == site.entities + site.terms
    fin = next(e for e in doc["entries"] if e["i"] == INSTANCES_BASE + "FIN")
    assert fin["l"] == "Finland" and fin["h"] == "id/FIN.html"
    assert all((site.root / e["h"]).is_file() for e in doc["entries"])


def test_dumps_description_context_and_timeline(site: Written, built: Built) -> None:
    v = version(built)
    for name in ("natoeu.ttl", "natoeu.nt", "natoeu.jsonld", "natoeu-inferred.trig",
                 "natoeu-inferred.nq", "void.ttl", "natoeu.context.jsonld"):
        assert (site.root / "release" / v / name).is_file(), name
    void = new_graph().parse(site.root / "void.ttl", format="turtle")
    assert (DATASET, DCAT_VERSION, Literal(v)) in void
    assert len(new_graph().parse(site.root / "void.jsonld", format="json-ld")) == len(void)
    assert (site.root / "natoeu.context.jsonld").is_file()
    assert (site.root / "timeline.svg").read_bytes().startswith(b"<?xml")
    for page in ("index", "search", "timeline", "downloads", "query", "queries", "classes"):
        assert (site.root / f"{page}.html").is_file()


def test_pages_carry_the_servers_policy(site: Written) -> None:
    from natoeu_graph.server.app import CSP

    meta = site_csp(meta=True)
    assert meta.replace(" 'wasm-unsafe-eval'", "") + "; frame-ancestors 'none'" == CSP
    for page in ("index.html", "id/FIN.html", "query.html", "queries/member-counts.html"):
        assert f'<meta http-equiv="Content-Security-Policy" content="{escape(meta)}">' in \
            (site.root / page).read_text(encoding="utf-8")
    assert site_csp().encode() in (site.root / ".htaccess").read_bytes()


def test_the_engine_is_the_vendored_pin(site: Written) -> None:
    assert check_oxigraph() == []
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    assert lock["package"] == "oxigraph" and lock["license"] == "MIT OR Apache-2.0"
    for name in lock["files"]:
        assert (site.root / "static" / "oxigraph" / name).read_bytes() == \
            (LOCK.parent / name).read_bytes()
    config = (site.root / "static" / "site" / "config.js").read_text(encoding="utf-8")
    assert f'"oxigraph": "{lock["version"]}"' in config


def test_same_graph_same_bytes(site: Written, built: Built, res: Resources) -> None:
    """A second build from the graph read back from the cache (another object, its triples in
    another order) writes the same bytes."""
    again = build(res)
    assert again is not built
    files, *_ = build_site(again, res, load_context(res.context), res.context.read_bytes())
    written = {str(p.relative_to(site.root)): p.read_bytes()
               for p in site.root.rglob("*") if p.is_file() and p.name != ".natoeu-site"}
    assert files == written


def test_a_release_records_its_version_and_the_one_it_revises(built: Built,
                                                              res: Resources) -> None:
    v = version(built)
    assert built.ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) == \
        URIRef(f"{ONTOLOGY_IRI}/{v}")
    files = release_files(built, load_context(res.context), b"{}", previous="0.0.1")
    void = new_graph().parse(data=files["void.ttl"], format="turtle")
    assert (DATASET, PROV.wasRevisionOf, release_iri("0.0.1")) in void
    assert (DATASET, DCAT_VERSION, Literal(v)) in void
    with pytest.raises(UsageError, match="same version"):
        release_files(built, load_context(res.context), b"{}", previous=v)


def test_a_version_iri_that_disagrees_is_refused(built: Built) -> None:
    wrong = Built(ontology=built.ontology + new_graph(), asserted=built.asserted,
                  inferred=built.inferred, key="x", validated=True)
    onto = URIRef(ONTOLOGY_IRI)
    wrong.ontology.set((onto, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/9.9.9")))
    with pytest.raises(UsageError, match="does not match owl:versionInfo"):
        version(wrong)


def test_the_changes_page(built: Built, res: Resources) -> None:
    new = side_of("new", (built.ontology, built.asserted))
    fin = EntityDiff(iri=INSTANCES_BASE + "FIN", name="ne:FIN", label="Finland", local=True,
                     added=[Fact("skos:note", '"planted"@en')])
    d = Diff(Side("old", new_graph(), "0.0.1"), new, [fin])
    renderer = Renderer(built, {}, load_context(res.context), Limits(), links=relative,
                        site=SiteInfo("0.1.0", site_csp(meta=True), "0.0.1"))
    page = changes_page(renderer, d).decode()
    assert "Changes since release 0.0.1" in page and 'href="id/FIN.html"' in page
    assert "1 entity: 1 fact added, 0 removed, 0 changed" in page
    assert 'href="changes.html"' in page  # the nav names the page


def test_the_command(tmp_path: Path, site: Written) -> None:
    """`natoeu site` refuses a folder it did not write, and says what it wrote."""
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    result = subprocess.run([NATOEU, "site", "-o", str(tmp_path / "mine")],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 2 and "not an earlier `natoeu site` output" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_a_site_folder_is_a_release_to_diff_against(site: Written, res: Resources) -> None:
    from natoeu_graph.outputs.diff import diff, load_side, to_text

    d = diff(load_side(str(site.root), res), load_side(str(res.root), res))
    assert d.equal, to_text(d)
