"""The source policy in docs/sources.md and the check that enforces it name the same sites, and
the shipped data cite none of them."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import URIRef

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built

DOC = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


def _doc_sites() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- excluded-sites")[1].split("<!-- /excluded-sites -->")[0]
    return re.findall(r"^- (\S+)$", block, re.MULTILINE)


def _check_sites(res: Resources) -> list[str]:
    text = (res.qa_dir / "source_excluded_site.rq").read_text(encoding="utf-8")
    values = text.split("VALUES ?site {")[1].split("}")[0]
    return re.findall(r'"([^"]+)"', values)


def test_the_policy_and_its_check_list_the_same_sites(res: Resources) -> None:
    assert _doc_sites() == sorted(_doc_sites()) and len(_doc_sites()) >= 10
    assert sorted(_check_sites(res)) == _doc_sites()


def test_no_source_is_on_an_excluded_site(res: Resources, built: Built) -> None:
    page = URIRef("http://xmlns.com/foaf/0.1/page")
    hosts = {re.sub(r"^[a-z]+://([^/:?#]+).*$", r"\1", str(o)).lower()
             for o in built.asserted.objects(None, page)}
    bad = {h for h in hosts for site in _doc_sites() if h == site or h.endswith("." + site)}
    assert bad == set()
