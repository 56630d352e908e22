"""Canned queries composed from parts: one file per check, each a query that runs alone.

``queries/factsheet-changes.rq`` is written from ``queries/factsheet-changes/``: ``frame.rq``
holds the header, prefixes and outer SELECT, with a ``# parts`` line where the branches go; every
other ``*.rq`` there is one aspect of one factsheet claim, a SELECT of ``?value`` on the date
``?_date_xsd_date``, with ``#+ claim:``, ``#+ aspect:`` and (where the check may find no row)
``#+ optional: true``. Each part becomes a UNION branch that runs it twice, on the then and the
now date, with its variables renamed apart. The composed file is committed, so every SPARQL tool
reads a plain query; a test keeps it equal to what this module writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from .queries import header

MARKER = "  # parts\n"
_VAR = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")
_PREFIX = re.compile(r"^PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One claim's check: a query of ``?value`` on ``?_date_xsd_date``."""

    path: Path
    claim: str
    aspect: str
    optional: bool
    select: str  # from SELECT to the closing brace
    prefixes: dict[str, str]


def read_part(path: Path) -> Part:
    text = path.read_text(encoding="utf-8")
    head = header(text)
    start = re.search(r"^SELECT\b", text, re.MULTILINE)
    if not head.get("claim") or not head.get("aspect") or start is None:
        raise InputError(str(path), None,
                         "a part needs '#+ claim:', '#+ aspect:' and a SELECT of ?value")
    select = text[start.start():].rstrip()
    if "?_date_xsd_date" not in select or not re.search(r"AS \?value\)", select):
        raise InputError(str(path), None, "a part selects ?value on the date ?_date_xsd_date")
    return Part(path, str(head["claim"]), str(head["aspect"]), bool(head.get("optional")),
                select, {p or "": iri for p, iri in _PREFIX.findall(text)})


def _instance(select: str, when: str) -> str:
    """The part's SELECT for one date: ?value -> ?<when>Value, ?x -> ?x<when>Value."""

    def rename(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "_date_xsd_date":
            return f"?_{when}_xsd_date"
        return f"?{when}Value" if name == "value" else f"?{name}{when}Value"

    return _VAR.sub(rename, select)


def _indent(text: str, by: str) -> str:
    return "\n".join(by + line if line else line for line in text.split("\n"))


def _branch(part: Part) -> str:
    claim_id = part.claim
    wrap = "OPTIONAL { " if part.optional else "{ "
    lines = [
        "  {",
        f"    BIND(ne:factsheet-claim-{claim_id} AS ?claim)",
        f'    BIND("{claim_id}" AS ?id)',
        f'    BIND("{part.aspect}" AS ?aspect)',
    ]
    for when in ("then", "now"):
        body = _indent(_instance(part.select, when), "    ").lstrip()
        lines.append(f"    {wrap}{body} }}")
    lines.append("  }")
    return "\n".join(lines)


def parts(folder: Path) -> list[Part]:
    return [read_part(p) for p in sorted(folder.glob("*.rq")) if p.name != "frame.rq"]


def compose(folder: Path) -> str:
    """The composed query text for the parts in ``folder``."""
    frame_path = folder / "frame.rq"
    frame = frame_path.read_text(encoding="utf-8")
    if frame.count(MARKER) != 1:
        raise InputError(str(frame_path), None, f"the frame needs one line {MARKER.strip()!r}")
    declared = {p or "": iri for p, iri in _PREFIX.findall(frame)}
    found = parts(folder)
    for part in found:
        for prefix, iri in part.prefixes.items():
            if declared.get(prefix) != iri:
                raise InputError(str(part.path), None,
                                 f"prefix {prefix}: is not declared the same way in frame.rq")
    branches = "\n  UNION\n".join(_branch(p) for p in found)
    note = ("# Composed from the files in factsheet-changes/, one per claim's check: edit those,\n"
            "# then run `python tests/regenerate_queries.py`.\n\n")
    text = frame.replace(MARKER, MARKER + branches + "\n")
    first_prefix = re.search(r"^PREFIX", text, re.MULTILINE | re.IGNORECASE)
    at = first_prefix.start() if first_prefix else 0
    return text[:at] + note + text[at:]
