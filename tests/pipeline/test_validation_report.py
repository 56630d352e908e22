"""`natoeu validate` reads as what is wrong: one line per problem, on the IRI it belongs to,
with paths written as SPARQL property paths and the message of the constraint that failed."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli


def _edit(path: Path, subject: str, change: object) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"{subject} a")
    end = text.index("\n\n", start)
    block = change(text[start:end])  # type: ignore[operator]
    assert block != text[start:end], subject
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def _line(path: Path, subject: str, text: str) -> int:
    """The line of the first ``text`` after ``subject``'s own line: where a report points."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, li in enumerate(lines) if li.startswith(f"{subject} a"))
    return next(i for i, li in enumerate(lines[start:], start + 1) if text in li)


def test_each_problem_is_reported_once_with_its_owner_and_path(project_copy: Path) -> None:
    # a term that ends before it begins, and a membership whose start has no typed date
    _edit(project_copy / "data" / "people.ttl", "ne:tenure-mark-rutte-nato-sg",
          lambda b: re.sub(r" ;\s*natoeu:endStatus [^\]]*\]", ' ;\n        time:hasEnd [ a '
                           'time:Instant ; time:inXSDDate "2020-01-01"^^xsd:date ] ]', b))
    _edit(project_copy / "data" / "memberships.ttl", "ne:membership-alb-nato",
          lambda b: b.replace('time:inXSDDate "2009-04-01"^^xsd:date', 'rdfs:comment "a day"'))
    proc = run_cli("--home", str(project_copy), "validate")
    assert proc.returncode == 1
    lines = [li.strip() for li in proc.stdout.splitlines() if li.strip().startswith("Violation")]
    # each names a line: of the path's first step where the node has it, else of the node
    alb = _line(project_copy / "data" / "memberships.ttl", "ne:membership-alb-nato",
                "org:memberDuring")
    alb_node = _line(project_copy / "data" / "memberships.ttl", "ne:membership-alb-nato",
                     "ne:membership-alb-nato")
    rutte = _line(project_copy / "data" / "people.ttl", "ne:tenure-mark-rutte-nato-sg",
                  "natoeu:during")
    assert lines == [
        f"Violation: data/memberships.ttl:{alb}: ne:membership-alb-nato "
        "org:memberDuring/time:hasBeginning: An instant needs exactly one well-typed "
        "time:inXSDDate (xsd:date), time:inXSDgYearMonth, time:inXSDgYear or, where only a date "
        "by which it happened is known, natoeu:notAfter (xsd:date).",
        f"Violation: data/memberships.ttl:{alb_node}: ne:membership-alb-nato "
        "org:memberDuring/time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear"
        "|natoeu:notAfter): A membership needs a start date: org:memberDuring/time:hasBeginning, "
        "an instant with time:inXSDDate (or time:inXSDgYearMonth, time:inXSDgYear or "
        "natoeu:notAfter where only that is known). Memberships of NATO and the EU need the day "
        "(qa: imprecise_term_dates).",
        f"Violation: data/people.ttl:{rutte}: ne:tenure-mark-rutte-nato-sg natoeu:during: "
        "The interval ends (2020-01-01) before it begins (2024-10-01).",
    ]
    assert "_:" not in proc.stdout
    assert "Does not conform: 3 violation(s)" in proc.stdout
