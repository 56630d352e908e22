"""docs/contributing.md stays true: its worked example (the Turtle blocks marked
``<!-- contributing-example: FILE -->``) is what FILE holds, and the mistakes it shows give the
messages it shows when made in a copy of the project."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from conftest import run_cli
from rdflib import RDFS, Graph, URIRef
from rdflib.compare import isomorphic

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "contributing.md"
_EXAMPLE = re.compile(r"^( *)<!-- contributing-example: (\S+) -->\n\1```turtle\n(.*?)^\1```",
                      re.S | re.M)
_CONSOLE = re.compile(r"```console\n\$ natoeu check\n(.*?)```", re.S)
_LINE = re.compile(r"\.ttl:\d+:")


def _prefixes(text: str) -> str:
    return "".join(li + "\n" for li in text.splitlines() if li.startswith("@prefix"))


def _described(g: Graph, subject: URIRef) -> Graph:
    """The subject's concise bounded description, its comments aside (the doc leaves them out)."""
    out = Graph()
    for t in g.cbd(subject):
        if t[1] != RDFS.comment:
            out.add(t)
    return out


def test_the_worked_example_is_what_the_files_hold() -> None:
    examples = _EXAMPLE.findall(DOC.read_text(encoding="utf-8"))
    assert {f for _, f, _ in examples} == {"ontology/natoeu.ttl", "ontology/natoeu.shapes.ttl",
                                           "data/structures.ttl"}
    for _, name, block in examples:
        text = (REPO / name).read_text(encoding="utf-8")
        shown = Graph().parse(data=_prefixes(text) + textwrap.dedent(block), format="turtle")
        held = Graph().parse(data=text, format="turtle")
        subjects = {s for s in shown.subjects() if isinstance(s, URIRef)}
        assert subjects, name
        for s in subjects:
            assert isomorphic(_described(shown, s), _described(held, s)), \
                f"docs/contributing.md shows {s} otherwise than {name} holds it"


def test_the_mistakes_shown_give_the_messages_shown(project_copy: Path) -> None:
    (shown,) = _CONSOLE.findall(DOC.read_text(encoding="utf-8"))
    data = project_copy / "data" / "structures.ttl"
    text = data.read_text(encoding="utf-8")
    broken = text.replace("    natoeu:issuedBy ne:task-force-critical-infrastructure-2023 ;",
                          "    natoeu:issueBy ne:task-force-critical-infrastructure-2023 ;", 1)
    broken = broken.replace('time:inXSDDate "2023-03-16"^^xsd:date',
                            'time:inXSDDate "2023-03"^^xsd:gYearMonth', 1)
    assert broken.count("natoeu:issueBy") == 1 and "2023-03\"^^xsd:gYearMonth" in broken
    data.write_text(broken, encoding="utf-8")
    proc = run_cli("--home", str(project_copy), "check")
    assert proc.returncode == 1
    # the first line names the tree checked: the doc shows a reader's own path
    printed = proc.stderr.splitlines()[1:] + proc.stdout.splitlines()
    got = [_LINE.sub(".ttl:N:", li) for li in printed if li.strip()]
    want = [_LINE.sub(".ttl:N:", li) for li in shown.splitlines()[1:] if li.strip()]
    assert sorted(got) == sorted(want)
    # and the lines shown are the lines of the nodes in the file
    lines = broken.splitlines()
    for number, node in re.findall(r"data/structures\.ttl:(\d+): .*?(ne:[\w-]+)", shown):
        start = next(i for i, li in enumerate(lines, 1) if li.startswith(f"{node} a "))
        end = next(i for i, li in enumerate(lines[start:], start + 1) if not li.strip())
        assert start <= int(number) < end, (number, node)
