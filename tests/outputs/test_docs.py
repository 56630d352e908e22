"""The HTML docs, the ontology diagram and the timeline: generated, offline, deterministic."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli

from natoeu_graph.core.errors import ToolMissingError, UsageError
from natoeu_graph.core.resources import Resources
from natoeu_graph.outputs import diagram
from natoeu_graph.outputs.diagram import PAGE_WIDTH_PT, own_classes, svg_width
from natoeu_graph.outputs.docs import write_docs
from natoeu_graph.outputs.timeline import draw_timeline
from natoeu_graph.pipeline.build import Built

# A fetched resource: script or style from the web, a remote image, an @import or url().
REMOTE = re.compile(
    r"<script\b|<link\b[^>]*href=[\"']?(https?:)?//|<img\b[^>]*src=[\"']?(https?:)?//"
    r"|@import|url\(\s*[\"']?(https?:)?//|<iframe\b", re.IGNORECASE)
HREF = re.compile(r"""(?:href|src)="([^"]+)\"""")
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def site(built: Built, res: Resources, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    write_docs(built, out, res.ontology.read_text(encoding="utf-8"))
    return out


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_class_has_a_page(site: Path, built: Built) -> None:
    for cls in diagram.own_classes(built.ontology):
        local = str(cls).rsplit("#", 1)[-1]
        assert (site / "class" / f"natoeu-{local}.html").is_file(), local


def test_class_pages_list_their_individuals(site: Path) -> None:
    state = _text(site / "class" / "natoeu-State.html")
    assert 'href="../id/FIN.html"' in state and ">Finland<" in state
    membership = _text(site / "class" / "natoeu-Membership.html")
    assert ">Finland in NATO<" in membership and "from 2023-04-04" in membership
    # subclasses' individuals are listed too (entailed types)
    assert "Ukraine" in state and "Partner Country" in state


def test_individual_page_has_facts_sources_and_backlinks(site: Path) -> None:
    page = _text(site / "id" / "membership-fin-nato.html")
    assert "<h1>Finland in NATO</h1>" in page
    assert 'href="../class/natoeu-Membership.html"' in page
    assert re.search(r'<a class="ext" href="https://[^"]+"', page)  # a source's web page
    finland = _text(site / "id" / "FIN.html")
    assert 'href="../id/membership-fin-nato.html"' in finland  # referenced by


def test_index_has_metadata_diagram_and_term_sections(site: Path) -> None:
    index = _text(site / "index.html")
    assert "natoeu-graph ontology: NATO-EU relations" in index
    assert "0.1.0" in index and "creativecommons.org/licenses/by/4.0" in index
    assert '<img class="diagram" src="diagrams/01.svg"' in index or \
        '<img class="diagram" src="diagrams/01-1.svg"' in index
    assert '<a href="ontology.svg">SVG</a>' in index  # the whole diagram, one click away
    props = _text(site / "properties.html")
    assert 'id="signedBy"' in props and 'id="holder"' in props


def test_section_diagrams_fit_the_page_at_a_readable_size(site: Path, built: Built) -> None:
    pictures = sorted((site / "diagrams").glob("*.svg"))
    assert len(pictures) > 3
    index = _text(site / "index.html")
    names: set[str] = set()
    for path in pictures:
        svg = path.read_bytes()
        assert f'src="diagrams/{path.name}"' in index
        # shown at its own size in a page column of 776 pt, so text keeps its font size
        assert svg_width(svg) <= PAGE_WIDTH_PT, path.name
        sizes = {float(x) for x in re.findall(rb'font-size="([0-9.]+)"', svg)}
        assert sizes and min(sizes) >= 10, (path.name, sizes)
        names |= {m.decode() for m in re.findall(rb">([A-Za-z:]+)</text>", svg)}
    own = {str(c).rsplit("#", 1)[1] for c in own_classes(built.ontology)}
    assert own <= names  # every class of the ontology is in some picture
    assert svg_width((site / "ontology.svg").read_bytes()) > PAGE_WIDTH_PT  # why they exist


def test_diagram_names_the_classes(site: Path) -> None:
    svg = _text(site / "ontology.svg")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for name in ("Membership", "State", "JointDeclaration", "Tenure", "org:FormalOrganization"):
        assert f">{name}</text>" in svg, name
    assert (site / "ontology.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_is_fetched_from_the_web(site: Path) -> None:
    files = [p for p in site.rglob("*") if p.suffix in (".html", ".css", ".svg")]
    assert len(files) > 500
    for path in files:
        found = REMOTE.search(_text(path))
        assert found is None, f"{path.relative_to(site)}: {found and found.group(0)}"


def test_internal_links_resolve(site: Path) -> None:
    for page in site.rglob("*.html"):
        for target in HREF.findall(_text(page)):
            if target.startswith(("http://", "https://", "#")):
                continue
            assert (page.parent / target.split("#")[0]).resolve().is_file(), (page, target)


def test_docs_are_deterministic_and_replace_an_earlier_output(site: Path, built: Built,
                                                              res: Resources) -> None:
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    write_docs(built, site, res.ontology.read_text(encoding="utf-8"))  # regenerate in place
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_docs_are_deterministic_across_processes(tmp_path: Path) -> None:
    """Nodes that share a label (Afghanistan the state and the place) sort by IRI too."""
    sites = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        proc = run_cli("docs", "-o", str(out), env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        sites.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert sites[0] == sites[1]


def test_docs_refuse_a_foreign_directory(built: Built, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("not ours")
    with pytest.raises(UsageError):
        write_docs(built, tmp_path)
    assert (tmp_path / "keep.txt").read_text() == "not ours"


def test_missing_graphviz_is_an_error(built: Built, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda _name: None)
    with pytest.raises(ToolMissingError) as info:
        write_docs(built, tmp_path / "site")
    assert info.value.hint and "graphviz" in info.value.hint.lower()
    assert not (tmp_path / "site").exists()


def test_timeline_png_and_svg(built: Built, tmp_path: Path) -> None:
    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    draw_timeline(built, png, today=TODAY)
    draw_timeline(built, svg, today=TODAY)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000 and svg.stat().st_size > 50_000
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_timeline_svg_is_deterministic(built: Built, tmp_path: Path) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    draw_timeline(built, a, today=TODAY)
    draw_timeline(built, b, today=TODAY)
    assert a.read_bytes() == b.read_bytes()


def test_timeline_refuses_other_suffixes(built: Built, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        draw_timeline(built, tmp_path / "t.pdf")
    assert not (tmp_path / "t.pdf").exists()


def test_cli_timeline_and_docs(tmp_path: Path) -> None:
    # two processes with different hash seeds draw the same bytes
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"t{seed}.svg"
        proc = run_cli("timeline", "-o", str(out), env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    proc = run_cli("timeline", "-o", str(tmp_path / "t.jpg"))
    assert proc.returncode == 2 and "hint:" in proc.stderr
    proc = run_cli("docs", "-o", str(tmp_path / "docs"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "docs" / "class" / "natoeu-State.html").is_file()

