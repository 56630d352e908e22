"""Property-based fuzzing of what users feed natoeu: canned-query parameters, ad-hoc SPARQL,
and Turtle, N-Triples and JSON-LD files given to --with. The only outcomes allowed are a correct
answer or a NatoeuError (one clear message); anything else is a crash.

Bounded in CI by the "ci" profile (the default, about 20 s); `HYPOTHESIS_PROFILE=long pytest
tests/pipeline/test_fuzz.py` runs 10 to 25 times more examples. Crashes found are pinned as explicit
regression tests at the end of this file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from natoeu_graph import cli
from natoeu_graph.core.errors import NatoeuError, UsageError
from natoeu_graph.core.namespaces import NE, ORG, TIME
from natoeu_graph.core.resources import locate
from natoeu_graph.pipeline.parse import ill_typed, invalid_iri
from natoeu_graph.pipeline.parse_external import parse_external
from natoeu_graph.sparql.queries import CannedQuery, list_queries, run, run_canned

settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=1000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# tests that set their own max_examples scale with the profile too
_SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1

# hypothesis runs many examples per test, so function-scoped fixtures cannot give each its own
# directory; one directory for the module, one fresh file name per example.
_DIR = Path(tempfile.mkdtemp(prefix="natoeu-fuzz-"))
_COUNTER = itertools.count()

CANNED = [q for q in list_queries(locate().queries_dir) if q.params]
_BAD_LITERAL = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20))


def _write(suffix: str, content: str | bytes) -> str:
    path = _DIR / f"f{next(_COUNTER)}{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8",
                                                                              "surrogatepass"))
    return str(path)


# --- canned-query parameters -------------------------------------------------------------------

param_text = st.one_of(
    st.text(max_size=40),
    st.dates().map(dt.date.isoformat),
    st.sampled_from(["today", "ne:FIN", "ne:post-nato-secretary-general", "natoeu:Post",
                     "http://example.org/x", "urn:x:y", "ne:", ":", "ne://x", "2018-02-30",
                     "0000-01-01", "+2018-01-01", "2018-1-1", "9999-12-31",
                     'x" } UNION { ?s ?p ?o } #', "<http://ex/a>", "ne:FIN ne:NOR"]),
)


@given(st.sampled_from(CANNED), param_text)
def test_canned_parameters(graph: Graph, query: CannedQuery, value: str) -> None:
    """Any value for any parameter: an answer, or UsageError naming the parameter."""
    param = query.params[0]
    try:
        result = run_canned(graph, query, {param.name: value})
    except UsageError as exc:
        assert param.name in exc.message or "query failed" in exc.message
        return
    assert result.type == "SELECT"
    assert isinstance(result.bindings, list)


def _members_on(graph: Graph, org: URIRef, day: dt.date) -> set[Any]:
    """Oracle: states with a membership of ``org`` that covers ``day`` (ends inclusive)."""
    out = set()
    for m in graph.subjects(ORG.organization, org):
        span = graph.value(m, ORG.memberDuring)
        begin = graph.value(graph.value(span, TIME.hasBeginning), TIME.inXSDDate)
        end = graph.value(graph.value(span, TIME.hasEnd), TIME.inXSDDate)
        if isinstance(begin, Literal) and begin.toPython() <= day and (
                not isinstance(end, Literal) or end.toPython() >= day):
            out.add(graph.value(m, ORG.member))
    return out


@pytest.fixture(scope="module")
def member_counts() -> CannedQuery:
    return next(q for q in list_queries(locate().queries_dir) if q.name == "member-counts")


@given(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2040, 12, 31)))
@example(dt.date(2018, 7, 1))
@example(dt.date(1949, 1, 1))  # before any membership: found by fuzzing, see below
@example(dt.date(2020, 1, 31))  # the UK's last day in the EU: an inclusive end
@example(dt.date(2020, 2, 1))
def test_member_counts_are_correct(graph: Graph, member_counts: CannedQuery,
                                   day: dt.date) -> None:
    """A valid date gives the right answer, checked against memberships read in Python."""
    (row,) = run_canned(graph, member_counts, {"date": day.isoformat()}).bindings
    nato = _members_on(graph, NE.NATO, day)
    eu = _members_on(graph, NE.EU, day)
    assert (int(row["nato"]), int(row["eu"]), int(row["shared"])) == (  # type: ignore[index]
        len(nato), len(eu), len(nato & eu))


@settings(max_examples=8 * _SCALE)
@given(st.sampled_from(["shared-members", "post-holder", "sources"]), st.text(max_size=20),
       st.text(max_size=20))
def test_cli_parameters(name: str, key: str, value: str) -> None:
    """The CLI in-process: exit 0 or 2, one error line, never a traceback."""
    result = CliRunner().invoke(cli.main, ["query", name, "-p", f"{key}={value}", "-f", "csv"])
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("error: ") or "Error:" in result.output


# --- ad-hoc SPARQL ------------------------------------------------------------------------------

# A small graph: a random but valid query (three patterns, property paths) stays fast on it.
SMALL = Graph()
for i in range(6):
    SMALL.add((NE[f"n{i}"], RDF.type, NE.Thing))
    SMALL.add((NE[f"n{i}"], NE.next, NE[f"n{(i + 1) % 6}"]))
    SMALL.add((NE[f"n{i}"], NE.date, Literal(f"2018-0{i + 1}-01", datatype=XSD.date)))
SMALL.add((BNode(), NE.label, Literal("x", lang="en")))

TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION",
          "MINUS", "BIND", "AS", "VALUES", "GROUP BY", "ORDER BY", "LIMIT 5", "OFFSET 1",
          "DISTINCT", "COUNT(*)", "SERVICE", "FROM", "NAMED", "GRAPH", "EXISTS", "NOT", "a",
          "{", "}", "(", ")", ".", ";", ",", "*", "+", "?", "/", "|", "^", "!", "=", "<", ">",
          "<=", "&&", "||", "?s", "?p", "?o", "?x", "?_date_xsd_date", "$y",
          "<https://w3id.org/natoeu/id/n1>", "<http://127.0.0.1:9/>", "ne:next", "ne:n1",
          "natoeu:Thing", "\"x\"", "\"x\"@en", "\"2018-13-45\"^^xsd:date",
          "\"2018-01-01\"^^xsd:date", "1", "-2.5e3", "true", "STR(?o)", "YEAR(?o)",
          "REGEX(?o, \"a\")", "xsd:date(?o)", "NOW()", "RAND()", "<>", "_:b", "[]",
          "ne:next*", "ne:next+", "(ne:next/ne:next)"]
PREFIXES = ("PREFIX ne: <https://w3id.org/natoeu/id/>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")
WELL_FORMED = [
    "SELECT * WHERE {{ {0} }}", "SELECT ?s WHERE {{ {0} }} ORDER BY ?s LIMIT 10",
    "ASK {{ {0} }}", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {0} }}",
    "SELECT (COUNT(*) AS ?n) WHERE {{ {0} }}",
]
pattern = st.sampled_from([
    "?s ne:next ?o", "?s a ne:Thing", "?s ne:date ?o . FILTER(?o < \"2018-03-01\"^^xsd:date)",
    "?s ne:next+ ?o", "?s (ne:next/ne:next)* ?o", "OPTIONAL { ?s ne:label ?l }",
    "BIND(YEAR(?o) AS ?y)", "FILTER(?s != ?o)", "?s ?p ?o", "VALUES ?s { ne:n1 ne:n2 }",
    "{ ?s ne:next ?o } UNION { ?o ne:next ?s }", "MINUS { ?s ne:next ne:n1 }",
    "FILTER(REGEX(STR(?o), \"n[0-9]\"))", "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
])
sparql = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
    st.tuples(st.sampled_from(WELL_FORMED), st.lists(pattern, min_size=1, max_size=3)).map(
        lambda t: t[0].format(" . ".join(t[1]))),
)


@settings(max_examples=150 * _SCALE)
@given(sparql, st.booleans())
def test_adhoc_sparql(text: str, with_prefixes: bool) -> None:
    """Any text: a result, or UsageError; SERVICE and FROM are refused, never evaluated."""
    query = (PREFIXES if with_prefixes else "") + text
    try:
        result = run(SMALL, query)
    except UsageError as exc:
        assert exc.message.startswith("query")
        return
    assert "SERVICE" not in text.upper() or "<http://127.0.0.1:9/>" not in text
    if result.type == "SELECT":
        assert isinstance(result.bindings, list)


# --- files for --with ----------------------------------------------------------------------------

iri_text = st.text(st.characters(codec="utf-8", exclude_characters=">\n\\"), max_size=12)
iri = st.one_of(
    st.sampled_from(["<http://ex/a>", "<http://ex/\u00fc>", "<urn:x:y>", "ex:a", "ex:b",
                     "<http://ex/a b>", "<http://ex/%20>", "<rel>", "<>", "foo:x", "_:b0",
                     "[]", "<http://ex/a\\u0001>"]),
    iri_text.map(lambda s: f"<http://ex/{s}>"),
)
literal = st.one_of(
    st.text(max_size=15).map(json.dumps),
    st.tuples(st.sampled_from(["2016-07-08", "2016-13-45", "2016", "2016-13", "2016-12", "x",
                               "-0", "1e5", ""]),
              st.sampled_from(["xsd:date", "xsd:integer", "xsd:gYear", "xsd:boolean",
                               "xsd:string", "<http://ex/dt>"]))
    .map(lambda t: f'"{t[0]}"^^{t[1]}'),
    st.sampled_from(['"x"@en', '"x"@', '"""multi\nline"""', "'single'", "42", "-1.5", "true",
                     '"a\\u001fb"', '"tab\\there"', '"bad escape \\q"']),
)
triple = st.tuples(iri, st.sampled_from(["ex:p", "a", "<http://ex/q>", "owl:sameAs"]),
                   st.one_of(iri, literal)).map(lambda t: " ".join(t) + " .")
turtle = st.one_of(
    st.lists(triple, max_size=8).map(
        lambda ts: "@prefix ex: <http://ex/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#>"
        " .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n" + "\n".join(ts) + "\n"),
    st.text(max_size=120),
)


def _assert_clean(g: Graph) -> None:
    """What parse_external returns is well-formed: nothing it lets in breaks a later save."""
    assert len(g) > 0
    for t in g:
        for term in t:
            if isinstance(term, URIRef):
                assert not invalid_iri(str(term))
            if isinstance(term, Literal):
                assert not ill_typed(term)
                assert not any(ord(c) in _BAD_LITERAL for c in str(term))
    back = Graph().parse(data=g.serialize(format="nt"), format="nt")
    assert len(back) == len(g)


def _load(suffix: str, content: str | bytes) -> None:
    try:
        g = parse_external([_write(suffix, content)], {})
    except NatoeuError as exc:
        assert exc.message and "\n" not in exc.message.strip()
        return
    _assert_clean(g)


@settings(max_examples=150 * _SCALE)
@given(turtle)
def test_turtle_input(text: str) -> None:
    _load(".ttl", text)


@settings(max_examples=100 * _SCALE)
@given(st.lists(st.tuples(iri, iri, st.one_of(iri, literal)), max_size=6))
def test_ntriples_input(triples: list[tuple[str, str, str]]) -> None:
    _load(".nt", "".join(f"{s} {p} {o} .\n" for s, p, o in triples))


json_key = st.sampled_from(["@id", "@type", "@value", "@language", "@list", "@set", "@graph",
                            "@reverse", "@index", "@vocab", "http://ex/p", "ex:p", "name", "p",
                            "", "@context", "@base", "@json", "@direction"])
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                        st.text(max_size=10),
                        st.sampled_from(["http://ex/a", "_:b", "ex:a", "en", "@id", "@vocab",
                                         "http://ex/a b", "2016-13-45",
                                         "http://www.w3.org/2001/XMLSchema#date"]))
json_value = st.recursive(
    json_scalar,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(json_key, children, max_size=5)),
    max_leaves=20)
context = st.one_of(
    st.none(),
    st.just({"ex": "http://ex/", "p": {"@id": "http://ex/p"}, "name": "http://ex/name"}),
    st.just({"@vocab": "http://ex/"}),
    st.sampled_from(["https://w3id.org/natoeu/context.jsonld", "http://127.0.0.1:9/c.jsonld",
                     "ctx.jsonld", "file:///etc/passwd"]),
    st.dictionaries(json_key, json_value, max_size=3),
)


@settings(max_examples=150 * _SCALE)
@given(json_value, context)
def test_jsonld_input(doc: Any, ctx: Any) -> None:
    if isinstance(doc, dict) and ctx is not None:
        doc = {"@context": ctx, **doc}
    _load(".jsonld", json.dumps(doc))


# --- crashes found by fuzzing, pinned ----------------------------------------------------------

@pytest.mark.parametrize(("suffix", "content"), [
    # "\ud800\udc00" escapes parse to unpaired surrogates, which rdflib accepted and then
    # could not write as UTF-8 (UnicodeEncodeError on every export): now refused on ingest.
    (".ttl", '<http://ex/a> <http://ex/p> "\\ud800\\udc00" .\n'),
    (".nt", '<http://ex/a> <http://ex/p> "\\ud800" .\n'),
    (".ttl", '<http://ex/\\ud800> <http://ex/p> "x" .\n'),
    (".jsonld", '{"@id": "http://ex/a", "http://ex/p": "\\ud800"}'),
    # IRIs with U+0085 or U+2028 were written to N-Triples that rdflib cannot read back (its
    # parser splits lines there); U+FFFE in a literal makes RDF/XML unparseable
    (".ttl", '<http://ex/\\u0085> <http://ex/p> "x" .\n'),
    (".ttl", '<http://ex/a> <http://ex/\\u2028> "x" .\n'),
    (".ttl", '<http://ex/a> <http://ex/p> "\\uFFFE" .\n'),
    # rdflib does not check xsd:gYear / xsd:gYearMonth (ill_typed is None): now we do
    (".ttl", f'<http://ex/a> <http://ex/p> "2016-13"^^<{XSD.gYearMonth}> .\n'),
    (".ttl", f'<http://ex/a> <http://ex/p> "abc"^^<{XSD.gYear}> .\n'),
])
def test_found_by_fuzzing_refused(suffix: str, content: str) -> None:
    refusals = r"surrogate|control character|invalid IRI|Invalid IRI|not a valid unicode|ill-typed"
    with pytest.raises(NatoeuError, match=refusals):
        parse_external([_write(suffix, content)], {})


def test_member_counts_before_any_membership_are_zero(graph: Graph,
                                                      member_counts: CannedQuery) -> None:
    """Found by fuzzing: on a date before NATO existed member-counts gave a row without counts
    (no row in the CLI) instead of 0, 0, 0; its UNION is now OPTIONAL."""
    (row,) = run_canned(graph, member_counts, {"date": "1949-01-01"}).bindings
    assert (int(row["nato"]), int(row["eu"]), int(row["shared"])) == (0, 0, 0)  # type: ignore[index]
