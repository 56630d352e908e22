"""docs/coverage.md, generated from the graph: what it covers year by year and topic by topic,
how precise its dates are, which lists are complete against a count their sources state, and
what is known to be missing (the natoeu:KnownGap nodes), plus a hand-written part that
``natoeu coverage`` keeps from the existing file.

A *fact node* is a node with ``prov:wasDerivedFrom`` that is not itself a source. It *begins* on
its ``dcterms:date`` or on the beginning of its ``natoeu:during`` or ``org:memberDuring`` span; a
month or a year begins on its first day, and a beginning known only as "by" a day
(``natoeu:notAfter``) has no known beginning, so it is counted apart and never in a year. The
counts are taken from the graph that ``natoeu export --inferred`` writes (ontology, asserted data
and entailments); the entailments add no dates, so the counts are those of the data.

The output has no date of its own: the same graph and hand-written part give the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from ..core.namespaces import NATOEU, PREFIXES
from .labels import label

HAND_START = "<!-- hand-written: natoeu coverage keeps this part of the file as it is -->"
HAND_END = "<!-- /hand-written -->"
DEFAULT_HAND = ("## Known to be missing, and why (hand-written)\n\n"
                "Write here what the graph is known to lack that no natoeu:KnownGap node states.\n")
CUTOFF = "2018-07-31"  # the July 2018 factsheet: facts beginning after it are "since 2018"
FIRST_YEAR, LAST_YEAR = 2016, 2026

_HEAD = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))

BEGINS = _HEAD + """
SELECT ?s ?v ?by WHERE {
  ?s prov:wasDerivedFrom ?src .
  FILTER NOT EXISTS { ?s a natoeu:Source }
  { ?s dcterms:date ?v }
  UNION
  { ?s natoeu:during|org:memberDuring ?i . ?i time:hasBeginning ?b .
    { ?b time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?v }
    UNION { ?b natoeu:notAfter ?by } }
}"""

TYPES = _HEAD + """
SELECT DISTINCT ?s ?t WHERE {
  ?s prov:wasDerivedFrom ?src ; a ?t .
  FILTER NOT EXISTS { ?s a natoeu:Source }
}"""

GAPS = _HEAD + """
SELECT ?gap ?about ?b ?e ?comment ?src WHERE {
  ?gap a natoeu:KnownGap ; natoeu:about ?about ; prov:wasDerivedFrom ?src .
  OPTIONAL { ?gap rdfs:comment ?comment }
  OPTIONAL { ?gap dcterms:temporal/time:hasBeginning ?gb .
             ?gb time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?b }
  OPTIONAL { ?gap dcterms:temporal/time:hasEnd ?ge .
             ?ge time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?e }
}"""

STATED = _HEAD + """
SELECT ?c ?of ?n ?d WHERE {
  ?c a natoeu:StatedCount ; natoeu:countOf ?of ; natoeu:statedCount ?n ; dcterms:date ?d .
}"""

DECLARED = _HEAD + """
SELECT ?p ?n (COUNT(DISTINCT ?m) AS ?listed) WHERE {
  ?p a natoeu:MeasurePackage ; natoeu:declaredMeasureCount ?n .
  OPTIONAL { ?m natoeu:inPackage ?p }
} GROUP BY ?p ?n"""

MEMBERS = _HEAD + """
SELECT ?org ?s WHERE { ?m org:organization ?org ; org:member ?s }"""

# Topics, most specific first: a fact node belongs to the first topic one of whose classes it
# has (after reasoning every node also has the broader classes).
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Joint declarations, their signatures and provisions",
     ("JointDeclaration", "Signature", "Commitment", "Provision")),
    ("Strategic documents and summit declarations", ("StrategicDocument", "SummitDeclaration")),
    ("Progress reports and other reports", ("ProgressReport", "Report")),
    ("Measure packages and measures", ("MeasurePackage", "Measure")),
    ("Other documents and arrangements", ("Arrangement", "Document")),
    ("Summits and high-level meetings", ("Summit", "Meeting")),
    ("Dialogues, task forces and joint bodies", ("Dialogue", "TaskForce", "JointBody")),
    ("Projects and participations", ("Project", "Participation")),
    ("Operations and their cooperation", ("Operation", "Support", "CapacityBuilding",
                                          "Cooperation")),
    ("Exercises", ("Exercise",)),
    ("Cyber incidents, responses and consultations",
     ("CyberIncident", "IncidentResponse", "PoliticalConsultation", "Event")),
    ("Memberships", ("Membership",)),
    ("People, posts and terms of office", ("Person", "Post", "Tenure")),
    ("Organisations, bodies and states", ("InternationalOrganization", "Body",
                                          "CentreOfExcellence", "State")),
    ("Claims of the 2018 factsheet", ("Claim",)),
    ("Stated counts and known gaps", ("StatedCount", "KnownGap")),
    ("Places", ("Place",)),
)
OTHER = "Other fact nodes (concepts and their schemes: areas, forms, topics)"


@dataclass
class Coverage:
    """What docs/coverage.md reports, computed once from the graph."""

    facts: int = 0
    begins: dict[URIRef, str] = field(default_factory=dict)  # node -> earliest begin (ISO text)
    by_only: set[URIRef] = field(default_factory=set)  # nodes whose begin is only "by" a day
    topic_of: dict[URIRef, str] = field(default_factory=dict)

    def year_counts(self) -> Counter[int]:
        return Counter(int(v[:4]) for v in self.begins.values())

    def after_cutoff(self) -> int:
        """Fact nodes that certainly begin after 31 July 2018 (a month or year: its first day)."""
        return sum(1 for v in self.begins.values() if first_day(v) > CUTOFF)

    def precision_counts(self) -> Counter[str]:
        c = Counter(precision(v) for v in self.begins.values())
        c["by a day"] = len(self.by_only)
        return c


@dataclass
class _Gap:
    """A known gap as the page lists it."""

    about: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    when: str = ""
    comment: str = ""


def first_day(value: str) -> str:
    """The first day of a date, month or year, as ISO text."""
    return {4: f"{value}-01-01", 7: f"{value}-01"}.get(len(value), value)


def precision(value: str) -> str:
    return {4: "year", 7: "month"}.get(len(value), "day")


def _rows(g: Graph, query: str) -> list[ResultRow]:
    return [r for r in g.query(query) if isinstance(r, ResultRow)]


def compute(g: Graph) -> Coverage:
    cov = Coverage()
    types: dict[URIRef, set[str]] = defaultdict(set)
    for s, t in _rows(g, TYPES):
        if isinstance(s, URIRef) and str(t).startswith(str(NATOEU)):
            types[s].add(str(t)[len(str(NATOEU)):])
        elif isinstance(s, URIRef):
            types.setdefault(s, set())
    cov.facts = len(types)
    for s, cls in types.items():
        cov.topic_of[s] = next((name for name, classes in TOPICS if cls & set(classes)), OTHER)
    by: set[URIRef] = set()
    for s, v, b in _rows(g, BEGINS):
        if not isinstance(s, URIRef):
            continue
        if isinstance(v, Literal):
            text = str(v)
            if s not in cov.begins or first_day(text) < first_day(cov.begins[s]):
                cov.begins[s] = text
        elif b is not None:
            by.add(s)
    cov.by_only = by - set(cov.begins)
    return cov


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _years() -> list[int]:
    return list(range(FIRST_YEAR, LAST_YEAR + 1))


def render(g: Graph, hand_written: str | None = None) -> str:
    """The whole document; ``hand_written`` is the part between the markers (else a stub)."""
    cov = compute(g)
    years = cov.year_counts()
    out = ["# Coverage of the graph\n",
           "Generated from the graph by `natoeu coverage -o docs/coverage.md`; do not edit it by "
           "hand except between the hand-written markers near the end, which the command keeps. "
           "A test keeps this file in step with the data.\n",
           "A *fact node* is a node of the graph that cites a source (`prov:wasDerivedFrom`) and "
           "is not itself a source. It *begins* on its date, or on the first day of its time span; "
           "a month or a year counts from its first day, and a span known only to have begun "
           "\"by\" a day (`natoeu:notAfter`) has no known year and is counted apart. The counts "
           "are taken from the graph `natoeu export --inferred` writes.\n",
           "## In numbers\n"]
    out.append(_md_table(["", "fact nodes"], [
        ["with a source", str(cov.facts)],
        ["with a known beginning", str(len(cov.begins))],
        [f"beginning after {CUTOFF} (the July 2018 factsheet)", str(cov.after_cutoff())],
        ["beginning only \"by\" a known day", str(len(cov.by_only))],
    ]))
    out.append("\n## Year by year\n\nFact nodes by the year they begin.\n\n")
    early = sum(n for y, n in years.items() if y < FIRST_YEAR)
    out.append(_md_table(["year", "fact nodes"],
                         [[f"before {FIRST_YEAR}", str(early)]]
                         + [[str(y), str(years.get(y, 0))] for y in _years()]))
    out.append("\n## Topic by topic\n\nFact nodes by topic, and those of each topic that begin in "
               f"each year from {FIRST_YEAR} (a dash: none).\n\n")
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for node, topic in cov.topic_of.items():
        totals[topic] += 1
        if node in cov.begins:
            by_topic[topic][int(cov.begins[node][:4])] += 1
    header = ["topic", "all"] + [str(y)[2:] if y != FIRST_YEAR else str(y) for y in _years()]
    rows = []
    for name in [t for t, _ in TOPICS] + [OTHER]:
        if totals[name]:
            rows.append([name, str(totals[name])]
                        + [str(by_topic[name].get(y, 0) or "-") for y in _years()])
    out.append(_md_table(header, rows))
    prec = cov.precision_counts()
    out.append("\n## How precise the dates are\n\nThe beginnings of fact nodes, by the precision "
               "their sources give (never a guessed day): a day (`xsd:date`), a month "
               "(`xsd:gYearMonth`), a year (`xsd:gYear`), or only a day by which it had happened "
               "(`natoeu:notAfter`).\n\n")
    out.append(_md_table(["precision", "fact nodes"],
                         [[k, str(prec.get(k, 0))] for k in ("day", "month", "year", "by a day")]))
    out.append("\n## Lists checked against a stated count\n\n")
    count_rows = []
    members = defaultdict(set)
    for row in _rows(g, MEMBERS):
        members[row[0]].add(row[1])
    for c, of, n, d in sorted(_rows(g, STATED), key=lambda r: (str(r[1]), str(r[3]))):
        count_rows.append([label(g, of), f"{n} (on {d})", str(len(members.get(of, ()))),
                           label(g, c)])
    for p, n, listed in sorted(_rows(g, DECLARED), key=lambda r: str(r[0])):
        count_rows.append([label(g, p), str(n), str(listed), "the package's declared count"])
    out.append(_md_table(["list", "count its sources state", "listed in the graph", "stated by"],
                         count_rows))
    out.append("\n## Known gaps\n\nWhat the graph's lists are known to lack, and why "
               "(`natoeu:KnownGap`). Answers resting on these lists say so (the `listNote` of "
               "the canned queries `timeline`, `structures` and `progress-reports`).\n\n")
    gaps: dict[Node, _Gap] = {}
    for gap, about, b, e, comment, src in _rows(g, GAPS):
        entry = gaps.setdefault(gap, _Gap())
        entry.about.add(label(g, about))
        entry.sources.add(label(g, src))
        if b is not None:
            entry.when = f"{b} to {e}" if e is not None else f"from {b}"
        if comment is not None:
            entry.comment = str(comment)
    for gap_node in sorted(gaps, key=lambda x: label(g, x)):
        entry = gaps[gap_node]
        when = f" ({entry.when})" if entry.when else ""
        out.append(f"- **{label(g, gap_node)}**{when}. {entry.comment} "
                   f"*About:* {'; '.join(sorted(entry.about))}. "
                   f"*Sources:* {'; '.join(sorted(entry.sources))}.\n")
    # every part is a block of its own (a heading, a paragraph, a table, a list item)
    text = "\n".join(part if part.endswith("\n") else part + "\n" for part in out)
    text = re.sub(r"\n(- \*\*)", r"\1", text)  # the list items of the gaps stay one list
    text = re.sub(r"\n{3,}", "\n\n", text)
    hand = DEFAULT_HAND if hand_written is None else hand_written
    return f"{text.rstrip()}\n\n{HAND_START}\n{hand.strip()}\n{HAND_END}\n"


def hand_written_part(text: str) -> str | None:
    """The hand-written part of an existing docs/coverage.md, or None if it has none."""
    start, end = text.find(HAND_START), text.find(HAND_END)
    if start < 0 or end < start:
        return None
    return text[start + len(HAND_START):end].strip("\n")
