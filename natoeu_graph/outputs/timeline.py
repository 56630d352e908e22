"""One time axis for the graph's history, drawn with matplotlib (Agg, no pyplot state).

Four stacked panels share the axis: member counts per organisation (derived from membership
dates, as the queries derive them), joint declarations and measure packages as markers,
operations and missions as bars, and terms of office as bars, one row per post.
"""

from __future__ import annotations

import calendar
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from ..core import atomic
from ..core.errors import UsageError
from ..core.namespaces import PREFIXES
from ..pipeline.build import Built
from .labels import label

FORMATS = {".svg": "svg", ".png": "png"}
_PALETTE = ("#1f4e9c", "#d4a017", "#3a8f5a", "#b5473a", "#7a4fa0", "#4a9bb0", "#8c6d46")
_MARGIN = timedelta(days=365 * 2)
_LANE_INCHES = 0.32  # height of one bar row: room for 8-pt text inside the bar

_SPAN = "time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear"
_HEAD = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))

MEMBERSHIPS = _HEAD + f"""
SELECT ?org ?member ?begin ?end ?status ?seen WHERE {{
  ?m a natoeu:Membership ; org:organization ?org ; org:member ?member ; org:memberDuring ?i .
  ?i time:hasBeginning/({_SPAN}) ?begin .
  OPTIONAL {{ ?i time:hasEnd/({_SPAN}) ?end }}
  OPTIONAL {{ ?i natoeu:endStatus ?status ; natoeu:lastVerified ?seen }}
}} ORDER BY ?org ?member ?begin"""

DOCUMENTS = _HEAD + """
SELECT ?doc ?cls ?date WHERE {
  VALUES ?cls { natoeu:JointDeclaration natoeu:MeasurePackage }
  ?doc a ?cls ; dcterms:date ?date .
} ORDER BY ?date ?doc"""

OPERATIONS = _HEAD + f"""
SELECT ?op ?civilian ?by ?begin ?end ?status ?seen WHERE {{
  ?op a natoeu:Operation ; natoeu:during ?i .
  BIND(EXISTS {{ ?op a natoeu:CivilianMission }} AS ?civilian)
  OPTIONAL {{ ?op natoeu:conductedBy ?by }}
  ?i time:hasBeginning/({_SPAN}) ?begin .
  OPTIONAL {{ ?i time:hasEnd/({_SPAN}) ?end }}
  OPTIONAL {{ ?i natoeu:endStatus ?status ; natoeu:lastVerified ?seen }}
}} ORDER BY ?begin ?op"""

TENURES = _HEAD + f"""
SELECT ?post ?holder ?in ?parent ?begin ?end ?status ?seen WHERE {{
  ?t a natoeu:Tenure ; natoeu:post ?post ; natoeu:holder ?holder ; natoeu:during ?i .
  OPTIONAL {{ ?post org:postIn ?in . OPTIONAL {{ ?in org:unitOf ?parent }} }}
  ?i time:hasBeginning/({_SPAN}) ?begin .
  OPTIONAL {{ ?i time:hasEnd/({_SPAN}) ?end }}
  OPTIONAL {{ ?i natoeu:endStatus ?status ; natoeu:lastVerified ?seen }}
}} ORDER BY ?post ?begin"""


Period = tuple[date, "date | None"]


@dataclass(frozen=True)
class Series:
    """A member-count step line."""

    name: str
    colour: str
    steps: list[tuple[date, int]]
    derived: bool  # a pair's shared members: drawn dashed


@dataclass(frozen=True)
class Span:
    """A bar: ``end`` is the last day (inclusive); None means ongoing (verified), drawn to today
    with an arrow. ``unknown_end``: the end is not known, and ``end`` is the last day a source
    shows the fact holding; the bar stops there with a question mark, never drawn to today."""

    row: str
    text: str
    begin: date
    end: date | None
    colour: str
    hatch: str = ""
    unknown_end: bool = False


def to_date(value: Node | None, last: bool = False) -> date | None:
    """xsd:date, gYearMonth or gYear as a day: the first of the period, or the last if ``last``."""
    if not isinstance(value, Literal):
        return None
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(value))
    if m is None:
        return None
    year, month, day = int(m[1]), m[2], m[3]
    if month is None:
        return date(year, 12, 31) if last else date(year, 1, 1)
    if day is None:
        mon = int(month)
        return date(year, mon, calendar.monthrange(year, mon)[1] if last else 1)
    return date(year, int(month), int(day))


def short_label(g: Graph, node: Node, limit: int) -> str:
    """rdfs:label if it has at most ``limit`` characters, else the longest English
    skos:prefLabel/altLabel that fits, else the shortest name there is."""
    main = label(g, node)
    if len(main) <= limit:
        return main
    skos = PREFIXES["skos"]
    names = sorted({str(o) for p in ("prefLabel", "altLabel")
                    for o in g.objects(node, URIRef(skos + p))
                    if isinstance(o, Literal) and o.language == "en"} | {main},
                   key=lambda s: (len(s), s))
    fitting = [n for n in names if len(n) <= limit]
    return fitting[-1] if fitting else names[0]


Answers = dict[str, list[Mapping[str, Node]]]  # query text -> its rows, asked once per drawing


def _rows(g: Graph, query: str, answers: Answers | None = None) -> list[Mapping[str, Node]]:
    if answers is not None and query in answers:
        return answers[query]
    rows: list[Mapping[str, Node]] = [row.asdict() for row in g.query(query)
                                      if isinstance(row, ResultRow)]
    if answers is not None:
        answers[query] = rows
    return rows


_END_UNKNOWN = URIRef(PREFIXES["natoeu"] + "EndUnknown")


def _span(row: Mapping[str, Node]) -> tuple[date | None, date | None]:
    """Begin and last day; a span whose end is not known ends, as far as anyone knows, on the
    last day it was verified (a membership counted up to then, a bar drawn up to then)."""
    if _unknown_end(row):
        return to_date(row.get("begin")), to_date(row.get("seen"), last=True)
    return to_date(row.get("begin")), to_date(row.get("end"), last=True)


def _unknown_end(row: Mapping[str, Node]) -> bool:
    return row.get("end") is None and row.get("status") == _END_UNKNOWN


def org_colours(g: Graph, rows: Answers | None = None) -> dict[Node, str]:
    """One colour per organisation that has members or conducts operations, in IRI order."""
    orgs = {r["org"] for r in _rows(g, MEMBERSHIPS, rows)} | {
        r["by"] for r in _rows(g, OPERATIONS, rows) if "by" in r}
    return {o: _PALETTE[i % len(_PALETTE)] for i, o in enumerate(sorted(orgs, key=str))}


def member_counts(g: Graph, colours: dict[Node, str],
                  rows: Answers | None = None) -> list[Series]:
    """Per organisation, and per pair of international organisations, the member count."""
    periods: dict[Node, dict[Node, list[Period]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows(g, MEMBERSHIPS, rows):
        begin, end = _span(row)
        if begin is not None:
            periods[row["org"]][row["member"]].append((begin, end))
    series = [Series(short_label(g, org, 12), colours[org], _steps(members), False)
              for org, members in sorted(periods.items(), key=lambda kv: str(kv[0]))]
    io_class = URIRef(PREFIXES["natoeu"] + "InternationalOrganization")
    ios = sorted((o for o in periods if (o, RDF.type, io_class) in g), key=str)
    for i, a in enumerate(ios):
        for b in ios[i + 1:]:
            both = {m: _intersect(periods[a][m], periods[b][m])
                    for m in set(periods[a]) & set(periods[b])}
            name = f"in both {short_label(g, a, 12)} and {short_label(g, b, 12)}"
            # colours after the organisations' own, so no line shares one
            colour = _PALETTE[(len(colours) + len(series)) % len(_PALETTE)]
            series.append(Series(name, colour, _steps(both), True))
    return series


def _intersect(xs: list[Period], ys: list[Period]) -> list[Period]:
    out = []
    for b1, e1 in xs:
        for b2, e2 in ys:
            begin = max(b1, b2)
            ends = [e for e in (e1, e2) if e is not None]
            end = min(ends) if ends else None
            if end is None or begin <= end:
                out.append((begin, end))
    return out


def _steps(members: dict[Node, list[Period]]) -> list[tuple[date, int]]:
    """Member count after each change; an end date is inclusive, so the drop is the next day."""
    delta: dict[date, int] = defaultdict(int)
    for spans in members.values():
        for begin, end in spans:
            delta[begin] += 1
            if end is not None:
                delta[end + timedelta(days=1)] -= 1
    count, steps = 0, []
    for day in sorted(delta):
        count += delta[day]
        steps.append((day, count))
    return steps


def operations(g: Graph, colours: dict[Node, str], rows: Answers | None = None) -> list[Span]:
    """Operations and missions by start date; civilian missions hatched."""
    spans = []
    for row in _rows(g, OPERATIONS, rows):
        begin, end = _span(row)
        if begin is not None:
            name = short_label(g, row["op"], 32)
            civilian = bool(row["civilian"].toPython())  # type: ignore[attr-defined]
            colour = colours.get(row["by"], "#888888") if "by" in row else "#888888"
            spans.append(Span(name, name, begin, end, colour,
                              "////" if civilian else "", _unknown_end(row)))
    # an operation with several conductors has a bar per conductor, drawn over each other: the
    # colour breaks the tie, so the one on top does not follow the store's row order
    return sorted(spans, key=lambda s: (s.begin, s.row, s.colour))


def tenures(g: Graph, colours: dict[Node, str]) -> list[Span]:
    """Terms of office, coloured by the organisation the post is in (directly or via a body)."""
    spans = []
    for row in _rows(g, TENURES):
        begin, end = _span(row)
        owner = next((row[k] for k in ("parent", "in") if row.get(k) in colours), None)
        if begin is not None:
            spans.append(Span(short_label(g, row["post"], 40), label(g, row["holder"]),
                              begin, end, colours[owner] if owner is not None else "#5b7fa6",
                              unknown_end=_unknown_end(row)))
    return sorted(spans, key=lambda s: (s.row, s.begin))


def documents(g: Graph) -> list[tuple[date, str, str]]:
    """(date, class label, document label) of declarations and packages, by date."""
    out = []
    for row in _rows(g, DOCUMENTS):
        day = to_date(row.get("date"))
        if day is not None:
            out.append((day, label(g, row["cls"]), label(g, row["doc"])))
    return sorted(out)


def draw_timeline(built: Built, out: Path, today: date | None = None,
                  remember: bool = False) -> None:
    """Draw the timeline to ``out`` (.svg or .png, chosen by suffix), atomically.

    ``today`` ends the ongoing bars (default: the current date). With ``remember``, a graph
    read from the cache is drawn once per day and format: the bytes are kept beside the graph
    cache, under its key (inputs, code, library versions) with matplotlib's version.
    """
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot draw a timeline as {out.suffix or 'a file without suffix'!r}",
                         hint="Name the output FILE.svg or FILE.png.")
    day = today or date.today()
    if remember and built.from_cache:
        from ..pipeline import memo
        from ..pipeline.build import cache_dir

        digest = memo.key(built.key, fmt, day.isoformat(), memo.versions("matplotlib"))
        data = memo.remembered_bytes(cache_dir(), f"timeline-{fmt}", digest,
                                     lambda: _save(figure(built, day), fmt))
    else:
        data = _save(figure(built, day), fmt)
    atomic.write_output(out, data)


def figure(built: Built, today: date | None = None) -> Any:
    """The timeline as a matplotlib Figure (axes: counts, documents, operations, terms)."""
    g = built.merged()
    answers: Answers = {}  # memberships and operations are asked for twice below
    colours = org_colours(g, answers)
    legend = {short_label(g, org, 12): colour for org, colour in colours.items()}
    return _figure(member_counts(g, colours, answers), documents(g),
                   operations(g, colours, answers),
                   tenures(g, colours), legend, today or date.today())


def image(built: Built, fmt: str, today: date | None = None) -> bytes:
    """The timeline as SVG or PNG bytes (``fmt`` "svg" or "png")."""
    return _save(figure(built, today), fmt)


def _save(fig: Any, fmt: str) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    # fixed salt and no date: the same graph gives the same SVG bytes in every run
    with matplotlib.rc_context({"svg.hashsalt": "natoeu", "svg.fonttype": "path"}):
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=110, metadata=meta)
    return buf.getvalue()


def _figure(counts: list[Series], docs: list[tuple[date, str, str]], ops: list[Span],
            terms: list[Span], legend: dict[str, str], today: date) -> Any:
    from matplotlib.figure import Figure

    op_rows = list(dict.fromkeys(s.row for s in ops))
    post_rows = sorted({s.row for s in terms})
    heights = [2.6, _LANE_INCHES * (len(docs) + 1), _LANE_INCHES * (len(op_rows) + 1),
               _LANE_INCHES * (len(post_rows) + 1)]
    fig = Figure(figsize=(15, sum(heights) + 1.2), layout="constrained")
    axes = fig.subplots(4, 1, gridspec_kw={"height_ratios": heights})
    # The counts keep their own axis from the first membership (NATO's founding in the shipped
    # data): on the shared axis of the panels below they would start decades later.
    for ax in axes[2:]:
        ax.sharex(axes[1])
    for ax in axes[1:3]:
        ax.tick_params(labelbottom=False)
    starts = [d for d, *_ in docs] + [s.begin for s in ops + terms]
    xmin, xmax = min(starts) - _MARGIN, today + _MARGIN
    first = min((d for series in counts for d, _ in series.steps), default=xmin)
    counts_from = min(date(first.year, 1, 1), xmin)
    _counts_panel(axes[0], counts, counts_from, today)
    axes[0].set_xlim(counts_from, xmax)
    _docs_panel(axes[1], docs, xmin, xmax)
    _spans_panel(axes[2], ops, op_rows, today, "Operations and missions")
    _ops_legend(axes[2], {s.colour for s in ops}, legend, any(s.hatch for s in ops))
    labels = _spans_panel(axes[3], terms, post_rows, today, "Terms of office")
    for ax in axes:
        ax.axvline(today, color="#999999", linestyle=":", linewidth=1)
        ax.grid(axis="x", color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[1].set_xlim(xmin, xmax)
    axes[0].axvspan(xmin, xmax, color="#f2f2f2", zorder=0)  # the span of the panels below
    fig.suptitle(f"Memberships, documents, operations and terms of office on one time axis "
                 f"(ongoing spans run to {today}; ? marks an end not known)", x=0.01,
                 ha="left", fontsize=12)
    _fit_labels(fig, labels)
    return fig


def _counts_panel(ax: Any, counts: list[Series], xmin: date, today: date) -> None:
    for series in counts:
        before = [n for d, n in series.steps if d <= xmin]
        later = [(d, n) for d, n in series.steps if d > xmin]
        # a line starts at the left edge with the count then, or where its first member joins
        head = [(xmin, before[-1])] if before else []
        points = [*head, *later]
        xs = [d for d, _ in points] + [today]
        ys = [n for _, n in points] + [points[-1][1]]
        ax.step(xs, ys, where="post", color=series.colour, linewidth=2, label=series.name,
                linestyle="--" if series.derived else "-")
        ax.annotate(str(ys[-1]), (today, ys[-1]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9, color=series.colour)
    ax.set_ylabel("member states")
    ax.set_ylim(bottom=0)
    ax.legend(loc="lower left", fontsize=9, frameon=False, ncols=len(counts))
    ax.set_title(f"Members over time, since {xmin.year} (shaded: the years of the panels "
                 "below)", loc="left", fontsize=10)


def _docs_panel(ax: Any, docs: list[tuple[date, str, str]], xmin: date, xmax: date) -> None:
    kinds = sorted({k for _, k, _ in docs})
    styles = {k: (marker, colour) for k, marker, colour in
              zip(kinds, ("D", "s", "o", "^"), ("#b5473a", "#3a8f5a", "#7a4fa0", "#8c6d46"),
                  strict=False)}
    middle = xmin + (xmax - xmin) / 2
    for row, (day, kind, text) in enumerate(docs):
        marker, colour = styles[kind]
        ax.plot([day], [row], marker=marker, color=colour, markersize=7, linestyle="none")
        # write toward the emptier side so long labels stay inside the axes
        left = day > middle
        ax.annotate(text, (day, row), xytext=(-8 if left else 8, 0), textcoords="offset points",
                    ha="right" if left else "left", va="center", fontsize=8)
    for kind, (marker, colour) in styles.items():
        ax.plot([], [], marker=marker, color=colour, linestyle="none", label=kind)
    ax.set_ylim(len(docs) - 0.4, -0.6)
    ax.set_yticks([])
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title("Joint declarations and measure packages", loc="left", fontsize=10)


def _ops_legend(ax: Any, used: set[str], names: dict[str, str], hatched: bool) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=f"conducted by {n}") for n, c in names.items() if c in used]
    if hatched:
        handles.append(Patch(facecolor="white", edgecolor="#555555", hatch="////",
                             label="civilian mission"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, framealpha=0.9)


def _spans_panel(ax: Any, spans: list[Span], rows: list[str], today: date,
                 title: str) -> list[tuple[Any, Any, date]]:
    """Bars per row; returns (text, bar, end) for bars that carry text, to be fitted later."""
    index = {r: i for i, r in enumerate(rows)}
    labelled = []
    for s in spans:
        y = index[s.row]
        end = s.end or today
        bar = ax.barh(y, end - s.begin, left=s.begin, height=0.62, color=s.colour, alpha=0.9,
                      hatch=s.hatch, edgecolor="white", linewidth=0.6)[0]
        if s.end is None:  # ongoing: an arrow at "today"
            ax.plot([today], [y], marker=">", color=s.colour, markersize=6)
        elif s.unknown_end:  # end not known: the bar stops at the last verification
            ax.text(end, y, " ?", ha="left", va="center", fontsize=9, fontweight="bold",
                    color="#333333")
        if s.text != s.row:
            text = ax.text(s.begin + (end - s.begin) / 2, y, s.text, ha="center", va="center",
                           fontsize=8, color=_ink(s.colour))
            labelled.append((text, bar, end))
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_title(title, loc="left", fontsize=10)
    return labelled


def _ink(colour: str) -> str:
    """Text colour that reads on a bar: dark on light fills (gold), white on dark ones."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "#1d1d1d" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _fit_labels(fig: Any, labelled: list[tuple[Any, Any, date]]) -> None:
    """A name wider than its bar is cut to its last word; if that is still too wide, it goes
    just right of the bar's end, in dark text."""
    fig.draw_without_rendering()
    for text, bar, end in labelled:
        room = bar.get_window_extent().width - 6
        if text.get_window_extent().width <= room:
            continue
        text.set_text(text.get_text().split()[-1])
        if text.get_window_extent().width > room:
            text.set_x(end + timedelta(days=90))
            text.set_horizontalalignment("left")
            text.set_color("#222222")
