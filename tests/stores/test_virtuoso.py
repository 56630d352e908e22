"""The graph on a second real triplestore: OpenLink Virtuoso 7 (Debian's virtuoso-opensource).

A Virtuoso server runs on 127.0.0.1 from a temporary directory with its own virtuoso.ini and
database files; `natoeu publish` fills it through the authenticated Graph Store and Update
endpoints (HTTP Digest), and every canned query must give the same rows there as on the
embedded rdflib store (the Oxigraph server is checked the same way in test_backends). CI installs
the package; without it these tests fail, unless NATOEU_SKIP_VIRTUOSO=1 says to skip them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import NATOEU, run_cli
from query_cases import LOCAL, assert_cli_endpoint_like_embedded, case_file, rows
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node
from server_util import free_port

from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built
from natoeu_graph.sparql.entities import resolve
from natoeu_graph.sparql.prefixes import with_prefixes
from natoeu_graph.sparql.queries import bindings, get_query
from natoeu_graph.sparql.results import format_result, to_csv
from natoeu_graph.stores.backends import GRAPHS, EndpointBackend, RdflibBackend

XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
PUBLISHER = "natoeu-publisher"  # a user of its own with the SPARQL_UPDATE role, not dba
SENTINEL = "<urn:natoeu:test:sentinel> <urn:natoeu:test:says> \"left by an earlier publish\""


# Canned queries through `natoeu query --endpoint`, with dates, IRIs (prefixed and full) and
# labels (any case) as parameters, and the three queries whose booleans Virtuoso gives as 1/0.
CLI_CASES: list[tuple[str, dict[str, str]]] = [
    ("shared-members", {"date": "2018-07-01"}),
    ("nato-members", {"date": "2026-11-25"}),
    ("eu-members", {"date": "2020-02-01"}),
    ("member-counts", {"date": "2023-04-04"}),
    ("post-holder", {"date": "2016-07-08"}),
    ("post-holder", {"post": "ne:post-president-european-council", "date": "2018-07-01"}),
    ("post-holder", {"post": "https://w3id.org/natoeu/id/post-nato-secretary-general",
                     "date": "2020-02-01"}),
    ("post-holder", {"post": "President of the European Council", "date": "2026-11-25"}),
    ("office-holders", {"date": "2026-11-25"}),
    ("joint-declarations", {}),
    ("measure-package-areas", {}),
    ("operations", {}),
    ("operation-links", {"date": "2018-07-01"}),
    ("operation-links", {"date": "2026-11-25"}),
    ("exercises", {}),
    ("sources", {"entity": "ne:joint-declaration-2016"}),
    ("sources", {"entity": "https://w3id.org/natoeu/id/FIN"}),
    ("sources", {"entity": "Sweden"}),
    ("sources", {"entity": "nato"}),
    ("factsheet-changes", {"then": "2018-07-01", "now": "2026-11-25"}),
    ("factsheet-claims", {}),
]


@dataclass
class Virtuoso:
    directory: Path
    sql_port: int
    base: str  # http://127.0.0.1:port
    dba_password: str
    password: str  # PUBLISHER's

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    def sql(self, statement: str) -> str:
        """Run SQL (or `SPARQL ...`) as dba through Virtuoso's own client."""
        proc = subprocess.run(
            [_tool("isql-vt"), f"127.0.0.1:{self.sql_port}", "dba", self.dba_password,
             f"exec={statement}"], capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode == 0 and "Error" not in proc.stdout + proc.stderr, \
            proc.stdout + proc.stderr
        return proc.stdout

    def count(self, graph: str) -> int:
        result = EndpointBackend(self.query_url, default_graphs=()).query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        (row,) = list(result.bindings)
        return int(row[Variable("n")])

    def graphs(self) -> set[str]:
        result = EndpointBackend(self.query_url, default_graphs=()).query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "
            "'https://w3id.org/natoeu/graph/')) }")
        return {str(row[Variable("g")]) for row in result.bindings}

    def publish_env(self, password: str | None = None) -> dict[str, str]:
        return {"NATOEU_PUBLISH_USER": PUBLISHER,
                "NATOEU_PUBLISH_PASSWORD": self.password if password is None else password}


def _publish(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`natoeu publish` with only the credentials given (none inherited), stdin not a terminal."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("NATOEU_PUBLISH_")}
    return subprocess.run([NATOEU, "publish", *args], env={**full, **(env or {})},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
                          check=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = (f"{name} is not installed: Debian's virtuoso-opensource package provides it "
                   "(apt-get install virtuoso-opensource; .ci/run installs it)")
        if os.environ.get("NATOEU_SKIP_VIRTUOSO") == "1":
            pytest.skip(message + "; skipped as NATOEU_SKIP_VIRTUOSO=1 asks")
        pytest.fail(message + ", or set NATOEU_SKIP_VIRTUOSO=1 to skip these tests")
    return path


def _write_ini(directory: Path, sql_port: int, http_port: int) -> Path:
    """A virtuoso.ini of the test's own: database, log and lock files in ``directory``, both
    listeners on 127.0.0.1, file access limited to ``directory``, small buffers (the machine is
    shared), no plugins or VAD packages."""
    (directory / "vsp").mkdir()
    ini = directory / "virtuoso.ini"
    ini.write_text(f"""\
[Database]
DatabaseFile       = {directory}/virtuoso.db
ErrorLogFile       = {directory}/virtuoso.log
LockFile           = {directory}/virtuoso.lck
TransactionFile    = {directory}/virtuoso.trx
xa_persistent_file = {directory}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {directory}/virtuoso-temp.db
TransactionFile = {directory}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = {directory}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {directory}/vsp
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
; Virtuoso cuts an answer at ResultSetMaxRows, saying so only in a header: far above any canned
; query's answer (under 200 rows), below the graph's size so that a test sees a cut answer
ResultSetMaxRows      = 1000
MaxQueryExecutionTime = 120
""", encoding="utf-8")
    return ini


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    binary = _tool("virtuoso-t")
    _tool("isql-vt")
    directory = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = _write_ini(directory, sql_port, http_port)
    proc = subprocess.Popen([binary, "-f", "-c", str(ini)], cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Virtuoso(directory, sql_port, f"http://127.0.0.1:{http_port}",
                      "dba", secrets.token_hex(12))
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                log = directory / "virtuoso.log"
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                pytest.fail(f"virtuoso-t exited with {proc.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("Virtuoso did not answer within 120 s")
            time.sleep(0.3)
        # A new database has dba/dba: change it first, then add the publishing user.
        new_dba = secrets.token_hex(12)
        server.sql(f"USER_SET_PASSWORD('dba', '{new_dba}')")
        server.dba_password = new_dba
        server.sql(f"DB.DBA.USER_CREATE('{PUBLISHER}', '{server.password}'); "
                   f'GRANT SPARQL_UPDATE TO "{PUBLISHER}"')
        yield server
    finally:
        proc.terminate()  # Virtuoso shuts down cleanly on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def published(virtuoso: Virtuoso, built: Built) -> str:
    proc = _publish("--endpoint", virtuoso.query_url, env=virtuoso.publish_env())
    assert proc.returncode == 0, proc.stderr
    counts = dict(line.rsplit(": ", 1) for line in proc.stdout.splitlines())
    for name, part in zip(GRAPHS, (built.ontology, built.asserted, built.inferred), strict=True):
        assert counts[str(name)] == f"{len(part)} triples"
        assert virtuoso.count(str(name)) == len(part)
    assert virtuoso.graphs() == {str(g) for g in GRAPHS}  # no staging graph left
    return virtuoso.query_url


def _term_key(term: Node | None) -> tuple[str, ...]:
    """A cell compared in full: kind, lexical form, datatype, language tag. A plain literal and
    one typed xsd:string are the same term in RDF 1.1."""
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)  # labels are local to each answer (no canned query returns one today)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    assert isinstance(term, Literal), term
    datatype = "" if term.datatype in (None, XSD_STRING) else str(term.datatype)
    return ("literal", str(term), datatype, term.language or "")


def _table(result: Result) -> list[list[tuple[str, ...]]]:
    variables = list(result.vars or [])
    body = sorted([_term_key(row.get(v)) for v in variables] for row in result.bindings)
    return [[("var", str(v)) for v in variables], *body]


@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_every_canned_query_same_on_virtuoso(res: Resources, graph: Graph, published: str,
                                             name: str, params: dict[str, str]) -> None:
    """Term by term, datatypes and language tags included: the client reads Virtuoso's 1 and 0
    of a boolean expression as true and false (stores.dialect)."""
    q = get_query(res.queries_dir, name)
    init = bindings(q, params)
    standard = RdflibBackend(graph).query(q.text, init)
    answer = EndpointBackend(published).query(q.text, init)
    assert rows(to_csv(answer)) == rows(to_csv(standard))  # as the Oxigraph server is compared
    assert _table(answer) == _table(standard)  # and term by term


def _local_csv(res: Resources, graph: Graph, name: str, params: dict[str, str]) -> str:
    """What `natoeu query NAME -p ... -f csv` prints on the embedded store (its code path)."""
    q = get_query(res.queries_dir, name)
    local = RdflibBackend(graph)
    given = resolve(q, params, lambda text, initial: local.query(text, initial))
    return format_result(local.query(q.text, bindings(q, given)), "csv")


@pytest.mark.parametrize(("name", "params"), CLI_CASES,
                         ids=[case_file(n, p) for n, p in CLI_CASES])
def test_canned_queries_through_the_cli_give_the_local_csv(
        res: Resources, graph: Graph, published: str, name: str, params: dict[str, str]) -> None:
    """`natoeu query NAME --endpoint VIRTUOSO -f csv` prints, byte for byte, the embedded
    store's answer: IRI and label parameters go through the entity look-up (an ASK, which
    Virtuoso answers as a one-cell SELECT), booleans come back true and false."""
    args = [a for k, v in sorted(params.items()) for a in ("-p", f"{k}={v}")]
    proc = subprocess.run([NATOEU, "query", name, *args, "-f", "csv", "--endpoint", published],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode() == _local_csv(res, graph, name, params)


@pytest.mark.parametrize("text", ["ASK { ne:FIN ?p ?o }", "ASK { ne:no-such-thing ?p ?o }"])
def test_sparql_ask_through_the_cli_as_locally(graph: Graph, published: str, text: str) -> None:
    local = RdflibBackend(graph).query(with_prefixes(text))
    for fmt in ("table", "json", "csv"):
        remote = subprocess.run([NATOEU, "sparql", text, "-f", fmt, "--endpoint", published],
                                capture_output=True, check=False)
        assert remote.returncode == 0, remote.stderr
        assert remote.stdout.decode() == format_result(local, fmt), fmt


def test_cli_query_against_virtuoso_equals_embedded(published: str) -> None:
    assert_cli_endpoint_like_embedded(published)


def test_cut_answer_is_an_error(published: str, built: Built) -> None:
    assert len(built.merged()) > 1000
    proc = run_cli("sparql", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--endpoint", published)
    assert proc.returncode == 3, proc.stdout[:300]
    assert "the endpoint cut the answer off at 1000 rows" in proc.stderr
    assert "hint: Raise the store's limit (Virtuoso: ResultSetMaxRows" in proc.stderr


def test_failed_publish_leaves_the_published_graphs_as_they_were(
        virtuoso: Virtuoso, published: str, built: Built) -> None:
    asserted = str(GRAPHS[1])
    # a triple no publish sends: it stays exactly as long as nobody replaces the graph
    virtuoso.sql(f"SPARQL INSERT DATA {{ GRAPH <{asserted}> {{ {SENTINEL} }} }}")
    before = {str(g): virtuoso.count(str(g)) for g in GRAPHS}
    assert before[asserted] == len(built.asserted) + 1

    wrong = "wrong-" + secrets.token_hex(8)
    proc = _publish("--endpoint", published, env=virtuoso.publish_env(wrong))
    assert proc.returncode == 3, proc.stderr
    assert f"the store refused user '{PUBLISHER}'" in proc.stderr
    assert "hint: Set NATOEU_PUBLISH_USER" in proc.stderr
    assert wrong not in proc.stdout + proc.stderr

    proc = _publish("--endpoint", published, env={"NATOEU_PUBLISH_PASSWORD": virtuoso.password})
    assert proc.returncode == 2 and "NATOEU_PUBLISH_USER is not" in proc.stderr
    assert virtuoso.password not in proc.stdout + proc.stderr
    proc = _publish("--endpoint", published)
    assert proc.returncode == 3, proc.stderr
    assert "requires a user and password to write" in proc.stderr

    # uploaded to staging, then the switch fails: the staging graphs go, the others stay
    proc = _publish("--endpoint", published,
                    "--store-url", virtuoso.base + "/sparql-graph-crud-auth",
                    "--update-url", virtuoso.base + "/no-update-here", env=virtuoso.publish_env())
    assert proc.returncode == 3 and "HTTP 404" in proc.stderr, proc.stderr
    assert {str(g): virtuoso.count(str(g)) for g in GRAPHS} == before
    assert virtuoso.graphs() == {str(g) for g in GRAPHS}

    # and a good publish replaces the graph: the sentinel is gone
    proc = _publish("--endpoint", published, env=virtuoso.publish_env())
    assert proc.returncode == 0, proc.stderr
    assert virtuoso.count(asserted) == len(built.asserted)


def test_no_password_and_no_terminal() -> None:
    """Without NATOEU_PUBLISH_PASSWORD the password is asked for at a terminal; with none (CI,
    a pipe) publish stops before it sends anything."""
    proc = _publish("--endpoint", "http://127.0.0.1:9/sparql",
                    env={"NATOEU_PUBLISH_USER": PUBLISHER})
    assert proc.returncode == 2 and f"no password for user '{PUBLISHER}'" in proc.stderr
    assert "hint: Set NATOEU_PUBLISH_PASSWORD" in proc.stderr


def test_password_in_url_refused_unechoed() -> None:
    url = "http://natoeu:s3cret-in-url@127.0.0.1:9/sparql"
    proc = _publish("--endpoint", url)
    assert proc.returncode == 2 and "a URL holds a password" in proc.stderr
    assert "s3cret-in-url" not in proc.stdout + proc.stderr


def test_virtuoso_and_fuseki_endpoints_derived() -> None:
    from natoeu_graph.stores.publish import endpoints

    # Virtuoso answers at /sparql at the root; Fuseki at /<dataset>/sparql
    assert endpoints("http://127.0.0.1:8890/sparql", None, None) == (
        "http://127.0.0.1:8890/sparql-graph-crud-auth", "http://127.0.0.1:8890/sparql-auth")
    assert endpoints("http://127.0.0.1:3030/ds/sparql", None, None) == (
        "http://127.0.0.1:3030/ds/data", "http://127.0.0.1:3030/ds/update")

