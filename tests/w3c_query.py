"""The W3C SPARQL 1.1 query evaluation tests (fixtures/w3c-sparql11-query), run on either query
engine through the server's own query path (server.worker.execute: the policy, the dataset,
the engine, the answer written as SPARQL JSON or N-Triples), compared with the expected
results.

    python tests/w3c_query.py    # rewrites tests/expected/w3c-sparql11-query.tsv and the
                                 # table in docs/sparql-engines.md from a run of both engines

How a test is run: each data file (qt:data) and named graph (qt:graphData) is parsed by rdflib
into a graph named by its IRI (the tests' own base,
http://www.w3.org/2009/sparql/docs/tests/data-sparql11/); Oxigraph gets rdflib's terms, as the
server's copy of its graph does. The query is sent with the protocol's dataset: default graph
the merge of the data files, named graphs the graphData files; a query with its own FROM is
sent without, and the server's policy refuses it (FROM may name only the served graphs). The
query's relative IRIs resolve against the query file's IRI, given as the base the server gives
(its own IRI, on the server). An answer passes when it equals the expected one:
solutions as a multiset (the order is not checked) with blank nodes matched one to one, graphs
isomorphic, booleans equal; IRIs identical and literals "compared by value", as the test
suite's instructions say since w3c/rdf-tests pull request 59 (a double 32100 equals 3.21E4, a
decimal 1 equals 1.0, never an integer 1), a literal typed xsd:string being the plain literal
(RDF 1.1).
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef, Variable
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.query import Result

from natoeu_graph.core.oxterms import to_oxigraph
from natoeu_graph.server.config import Limits
from natoeu_graph.server.worker import Context, execute
from natoeu_graph.sparql.prefixes import standard_prefixes
from natoeu_graph.sparql.queries import dataset_clause, prepare
from natoeu_graph.stores.backends import OxigraphBackend

HERE = Path(__file__).parent
ROOT = HERE / "fixtures" / "w3c-sparql11-query" / "sparql11"
EXPECTED = HERE / "expected" / "w3c-sparql11-query.tsv"
DOC = HERE.parent / "docs" / "sparql-engines.md"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
ENGINES = ("oxigraph", "rdflib")  # the default engine first
ACCEPT = "application/sparql-results+json, application/n-triples"


@dataclass(frozen=True)
class Case:
    name: str  # category/local name, e.g. aggregates/agg01
    category: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path


def iri(path: Path) -> str:
    return BASE + path.relative_to(ROOT).as_posix()


def cases() -> list[Case]:
    """Every query evaluation test of every category, in manifest order."""
    out = []
    top = Graph().parse(ROOT / "manifest-sparql11-query.ttl", publicID=BASE + "manifest.ttl")
    includes = top.value(URIRef(BASE + "manifest.ttl"), MF.include)
    assert includes is not None
    for included in Collection(top, includes):
        folder = str(included).removeprefix(BASE).removesuffix("/manifest.ttl")
        if not (ROOT / folder).is_dir():
            continue  # a category with syntax tests only: not copied
        where = BASE + folder + "/manifest.ttl"
        m = Graph().parse(ROOT / folder / "manifest.ttl", publicID=where)

        def local(node: Any, folder: str = folder) -> Path:
            return ROOT / folder / str(node).removeprefix(BASE + folder + "/")

        entries = m.value(URIRef(where), MF.entries)
        assert entries is not None
        for test in Collection(m, entries):
            if (test, None, MF.QueryEvaluationTest) not in m:
                continue
            action = m.value(test, MF.action)
            out.append(Case(
                name=f"{folder}/{str(test).rsplit('#', 1)[-1]}", category=folder,
                query=local(m.value(action, QT.query)),
                data=tuple(sorted(local(d) for d in m.objects(action, QT.data))),
                graph_data=tuple(sorted(local(d) for d in m.objects(action, QT.graphData))),
                result=local(m.value(test, MF.result))))
    return out


def _format(path: Path) -> str:
    return {".rdf": "xml", ".nt": "nt"}.get(path.suffix, "turtle")


def contexts(case: Case) -> dict[str, Context]:
    """A worker context per engine over the test's dataset."""
    ds = Dataset(default_union=True)
    for path in {*case.data, *case.graph_data}:
        ds.graph(URIRef(iri(path))).parse(path, format=_format(path), publicID=iri(path))
    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o),
                         ox.NamedNode(str(g.identifier)))
                 for g in ds.graphs() for s, p, o in g)
    oxigraph = OxigraphBackend.__new__(OxigraphBackend)
    oxigraph.store, oxigraph.prefixes, oxigraph.union = store, standard_prefixes(), False
    return {"oxigraph": Context(ds, {}, Limits(), oxigraph=oxigraph),
            "rdflib": Context(ds, {}, Limits())}


def run(case: Case, ctx: Context) -> str:
    """"pass", "fail" or "error CODE" (the server's error code)."""
    text = case.query.read_text(encoding="utf-8")
    dataset: list[list[str]] | None = [[iri(p) for p in case.data],
                                       [iri(p) for p in case.graph_data]]
    try:
        if dataset_clause(prepare(text, "query", allow_dataset=True, base=iri(case.query))):
            dataset = None  # the query names its own dataset: the server's policy decides
    except Exception:  # the server answers the text as it can
        pass
    reply = execute(ctx, {"op": "sparql", "query": text, "format": None, "accept": ACCEPT,
                          "dataset": dataset, "base": iri(case.query)})
    if reply["status"] != 200:
        return "error " + json.loads(reply["body"])["error"]
    return "pass" if same(case, reply) else "fail"


def same(case: Case, reply: dict[str, Any]) -> bool:
    body = reply["body"]
    if reply["type"].startswith("application/n-triples"):
        got = Graph().parse(data=body.decode(), format="nt")
        want = Graph().parse(case.result, format=_format(case.result),
                             publicID=iri(case.result))
        return isomorphic(_by_value(got), _by_value(want))
    answer = Result.parse(io.BytesIO(body), format="json")
    fmt = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}.get(case.result.suffix)
    if fmt is None:  # a result set written in RDF (rs: vocabulary)
        expected = _result_set(Graph().parse(case.result, format=_format(case.result),
                                             publicID=iri(case.result)))
    else:
        with case.result.open("rb") as f:
            expected = Result.parse(f, format=fmt)
    if expected.type == "ASK" or answer.type == "ASK":
        return expected.type == answer.type and expected.askAnswer == answer.askAnswer
    names = sorted({str(v) for v in expected.vars or []} | {str(v) for v in answer.vars or []})
    return same_rows(_rows(answer, names), _rows(expected, names))


def _result_set(g: Graph) -> Result:
    """A result set written with the DAWG rs: vocabulary."""
    node = g.value(None, RDF.type, RS.ResultSet)
    boolean = g.value(node, RS.boolean)
    if isinstance(boolean, Literal):
        r = Result("ASK")
        r.askAnswer = boolean.toPython() is True
        return r
    r = Result("SELECT")
    r.vars = [Variable(str(v)) for v in g.objects(node, RS.resultVariable)]
    r.bindings = [{Variable(str(g.value(b, RS.variable))): g.value(b, RS.value)  # type: ignore[misc]
                   for b in g.objects(solution, RS.binding)}
                  for solution in g.objects(node, RS.solution)]
    return r


def _rows(result: Result, names: list[str]) -> list[tuple[Any, ...]]:
    return [tuple(_term(b.get(n)) for n in names) for b in
            ({str(k): v for k, v in row.items()} for row in result.bindings)]


def _term(t: Any) -> Any:
    """A term as the comparison sees it: IRIs and blank nodes as they are, a literal by its
    datatype and value (its lexical form where rdflib has no value for it), a literal typed
    xsd:string as the plain literal (RDF 1.1), language tags in lower case."""
    if not isinstance(t, Literal):
        return t
    datatype = None if t.datatype == XSD.string else t.datatype
    value = t.value
    if value is None or isinstance(value, Literal) or (isinstance(value, float)
                                                       and math.isnan(value)):
        value = str(t)
    return ("literal", str(datatype or ""), (t.language or "").lower(), type(value).__name__,
            value)


def _by_value(g: Graph) -> Graph:
    """``g`` with each literal replaced by one whose lexical form is its comparison key."""
    out = Graph()
    for s, p, o in g:
        out.add((s, p, Literal(repr(_term(o))) if isinstance(o, Literal) else o))
    return out


def same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Equal as multisets, blank nodes matched one to one (a bijection between the sides)."""
    if len(a) != len(b):
        return False

    def shape(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple("_:" if isinstance(t, BNode) else t for t in row)

    if Counter(map(shape, a)) != Counter(map(shape, b)):
        return False
    if not any(isinstance(t, BNode) for row in a for t in row):
        return True

    def match(i: int, used: set[int], there: dict[Any, Any], back: dict[Any, Any]) -> bool:
        if i == len(a):
            return True
        for j, row in enumerate(b):
            if j in used or shape(row) != shape(a[i]):
                continue
            new = {x: y for x, y in zip(a[i], row, strict=True) if isinstance(x, BNode)}
            if any(there.get(x, y) != y or back.get(y, x) != x for x, y in new.items()):
                continue
            if len(set(new.values())) != len(new):
                continue
            if match(i + 1, used | {j}, {**there, **new}, {**back, **{y: x for x, y in
                                                                      new.items()}}):
                return True
        return False

    return match(0, set(), {}, {})


def outcomes() -> dict[str, dict[str, str]]:
    """test name -> engine -> outcome, for every test."""
    out = {}
    for case in cases():
        ctxs = contexts(case)
        out[case.name] = {engine: run(case, ctxs[engine]) for engine in ENGINES}
    return out


def expected_tsv(results: dict[str, dict[str, str]]) -> str:
    lines = ["test\t" + "\t".join(ENGINES)]
    lines += [f"{name}\t" + "\t".join(r[e] for e in ENGINES) for name, r in results.items()]
    return "\n".join(lines) + "\n"


def table(results: dict[str, dict[str, str]]) -> str:
    """The docs' table: passes per category and engine."""
    per: dict[str, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for name, r in results.items():
        category = name.split("/")[0]
        per.setdefault(category, Counter())["tests"] += 1
        for engine in ENGINES:
            passed = r[engine] == "pass"
            per[category][engine] += passed
            totals[engine] += passed
    head = "| category | tests | " + " | ".join(f"{e} passes" for e in ENGINES) + " |"
    lines = [head, "|---|---|" + "---|" * len(ENGINES)]
    for category, c in per.items():
        lines.append(f"| {category} | {c['tests']} | "
                     + " | ".join(str(c[e]) for e in ENGINES) + " |")
    lines.append(f"| **all** | **{len(results)}** | "
                 + " | ".join(f"**{totals[e]}**" for e in ENGINES) + " |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- w3c-table -->\n", "<!-- /w3c-table -->\n"


def doc_table(text: str) -> str:
    return text.split(BEGIN, 1)[1].split(END, 1)[0]


def _write(results: dict[str, dict[str, str]]) -> Iterator[str]:
    EXPECTED.write_text(expected_tsv(results), encoding="utf-8")
    yield str(EXPECTED)
    doc = DOC.read_text(encoding="utf-8")
    before, rest = doc.split(BEGIN, 1)
    DOC.write_text(before + BEGIN + table(results) + END + rest.split(END, 1)[1],
                   encoding="utf-8")
    yield str(DOC)


if __name__ == "__main__":
    for written in _write(outcomes()):
        print("wrote", written, file=sys.stderr)
