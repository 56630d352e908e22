"""The `natoeu` command line. The only module that prints or exits.

Exit codes: 0 success, 1 data does not conform or a check returned rows, 2 usage error,
3 unreadable input (names the file and line), 4 internal error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .core import atomic
from .core.errors import NatoeuError, NotConformingError, UsageError
from .core.resources import Resources, locate
from .pipeline.build import Built, build, cache_key, validation
from .sparql.prefixes import standard_prefixes, with_prefixes
from .sparql.queries import bindings, check_values, get_query, list_queries, prepare
from .sparql.results import GRAPH_FORMATS, RESULT_FORMATS, format_result, select_rows

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from .stores.backends import Backend, OxigraphBackend
    from .stores.oxrun import Answer
    from .stores.publish import Credentials


def load_context(path: Path) -> Any:
    """The JSON-LD context (core.context, imported here: pyld costs every command 40 ms)."""
    from .core.context import load_context as load

    return load(path)


def _fail(exc: NatoeuError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    if isinstance(exc, NotConformingError) and exc.report:
        click.echo(exc.report, err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


# what the machine, not natoeu, is short of: a full disk, a read-only or forbidden folder, a
# path that cannot be one; no bug of ours (exit 4), but one message and a hint (exit 2)
_MACHINE = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EFBIG: "the file is too large for the file system",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted", errno.ENOTDIR: "a part of the path is not "
            "a folder", errno.ELOOP: "too many symbolic links", errno.ENAMETOOLONG:
            "the name is too long", errno.EMFILE: "too many open files",
            errno.ENFILE: "too many open files on the machine", errno.ENOMEM: "out of memory"}


def machine_error(exc: OSError) -> UsageError | None:
    """A user error for an OSError that says what the machine lacks (None for any other)."""
    reason = _MACHINE.get(exc.errno or 0)
    if reason is None:
        text = str(exc)  # Oxigraph's storage errors carry no errno, only RocksDB's words
        reason = next((why for words, why in (("No space left", "the disk is full"),
                                               ("Read-only file system",
                                                "the file system is read-only"),
                                               ("Permission denied", "permission denied"))
                       if words in text), None)
    if reason is None:
        return None
    where = f"{exc.filename}: " if exc.filename else ""
    return UsageError(f"{where}{reason} ({exc.strerror or str(exc).splitlines()[0]})",
                      hint="Free some space, or choose a folder you may write to; what was "
                      "there before is unchanged.")


def handled(fn: F) -> F:
    """Turn library errors into one message and an exit code; never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()  # a full disk on stdout is told here, not lost at exit
            return result
        except NatoeuError as exc:
            _fail(exc)
        except BrokenPipeError:
            # the reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            user = machine_error(exc)
            if user is None:
                _internal(exc)
            else:
                _fail(user)
        except Exception as exc:
            _internal(exc)

    return wrapper  # type: ignore[return-value]


def _internal(exc: Exception) -> None:
    if os.environ.get("NATOEU_DEBUG"):
        traceback.print_exc()
    click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("hint: this is a bug; rerun with NATOEU_DEBUG=1 and report it.", err=True)
    sys.exit(4)


class Ctx:
    def __init__(self, home: str | None, use_cache: bool) -> None:
        self.res: Resources = locate(home)
        self.use_cache = use_cache
        self.built: Built | None = None

    def prime_warm_path(self) -> None:
        """After a validated, cached query on the default store: let the next warm canned query
        skip rdflib (stores.warm). Best effort: a failure here costs speed, not the answer."""
        from .stores.backends import write_store
        from .stores.warm import prime

        built = self.built
        if built is None or not built.validated or not self.use_cache:
            return

        def safe() -> dict[str, tuple[str, list[Any]]]:
            """The canned queries the warm path may answer: those that pass the safety parse
            and need no --with (which the warm path never has)."""
            out = {}
            for q in list_queries(self.res.queries_dir):
                if q.external:
                    continue
                try:
                    prepare(q.text, q.path.name)
                except NatoeuError:
                    continue
                out[q.name] = (q.text, [[p.name, p.kind, p.default] for p in q.params])
            return out

        from .core.namespaces import new_graph

        names = {"prefixes": standard_prefixes(),
                 "bindings": {p: str(ns) for p, ns in new_graph().namespaces()}}
        with contextlib.suppress(OSError, NatoeuError):
            prime(self.res, built.key, lambda folder: write_store(folder, built), safe,
                  lambda: cache_key(self.res, True), names)

    def oxigraph(self, validated: bool, extra: tuple[str, ...]) -> OxigraphBackend:
        """The graph in Oxigraph: the warm store in the cache (written now if missing), else
        (with --with, --no-validate or --no-cache, or while an input is being edited) a copy
        in memory."""
        from .stores.backends import OxigraphBackend
        from .stores.warm import store_path

        built = self.graph(validated, extra)
        if not extra and built.validated and self.use_cache:
            self.prime_warm_path()
            # a store that cannot be opened (being pruned or replaced by another command, or
            # damaged: Oxigraph's RuntimeError) is passed over for a copy in memory
            with contextlib.suppress(NatoeuError, OSError, RuntimeError):
                found = OxigraphBackend.at(store_path(built.key, self.res.root), built.key)
                if found is not None:
                    return found
        return OxigraphBackend(built)

    def backend(self, validated: bool, extra: tuple[str, ...], store: str | None,
                endpoint: str | None, oxigraph: bool = False) -> Backend:
        """The store a query runs on: embedded rdflib, embedded Oxigraph, or an endpoint;
        ``oxigraph``: Oxigraph (``oxigraph()``) where no store or endpoint is named."""
        from .stores import disk
        from .stores.backends import EndpointBackend, OxigraphBackend, RdflibBackend

        if oxigraph and not (store or endpoint):
            return self.oxigraph(validated, extra)
        if endpoint:
            if extra or store:
                raise UsageError("--endpoint cannot be combined with --with or --store")
            return EndpointBackend(endpoint)
        kind, _, path = (store or "rdflib").partition(":")
        if store not in (None, "rdflib") and kind != "oxigraph":
            raise UsageError(f"unknown store {store!r}",
                             hint="Use rdflib, oxigraph (in memory) or oxigraph:PATH.")
        located = disk.location(Path(path)) if kind == "oxigraph" and path else None
        if located is not None and not extra:
            warm = OxigraphBackend.at(located, cache_key(self.res, validated))
            if warm is not None:  # the store already holds this very graph
                return warm
        built = self.graph(validated, extra)
        if kind == "rdflib":
            return RdflibBackend(built.dataset())
        return OxigraphBackend(built, located)

    @staticmethod
    def external(extra: tuple[str, ...]) -> contextlib.AbstractContextManager[None]:
        """The deadline of everything a call does with --with files (NATOEU_PARSE_TIMEOUT):
        parsing, checks, validation, the query; the output is written after it."""
        if not extra:
            return contextlib.nullcontext()
        from .pipeline.parse_external import budget

        return budget(extra)

    def graph(self, validated: bool = True, extra: tuple[str, ...] = ()) -> Built:
        built = build(self.res, validated=validated, use_cache=self.use_cache)
        self.built = built
        if not extra:
            return built
        from .pipeline.build import with_external
        from .pipeline.parse_external import parse_external

        external = parse_external(extra, load_context(self.res.context))
        return with_external(built, self.res, external, validated=validated)


def with_option(fn: F) -> F:
    return click.option(
        "--with", "extra", multiple=True, metavar="FILE_OR_DIR",
        help="Merge external RDF (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML) for this "
        "call; checked and validated first (repeatable).")(fn)


def backend_options(fn: F) -> F:
    fn = click.option("--endpoint", metavar="URL",
                      help="Query a remote SPARQL 1.1 endpoint (its query URL) instead.")(fn)
    return click.option("--store", metavar="rdflib|oxigraph[:PATH]",
                        help="Embedded store to query (default rdflib; oxigraph:PATH persists "
                        "on disk).")(fn)


def engine_option(fn: F) -> F:
    return click.option(
        "--engine", type=click.Choice(["auto", "rdflib"]), default="auto", show_default=True,
        help="auto: Oxigraph for ad-hoc queries and for the canned queries proven to answer "
        "as on rdflib, rdflib for the rest; rdflib: everything on rdflib. Ignored with "
        "--store or --endpoint.")(fn)


def _service_urls(_ctx: Any, _param: Any, values: tuple[str, ...]) -> tuple[str, ...]:
    from .sparql.queries import normal_url

    for url in values:
        if normal_url(url) is None:
            raise click.BadParameter(f"{url!r} is not an http(s) URL without a user name, "
                                     "an encoded slash or a backslash; e.g. "
                                     "--allow-service http://127.0.0.1:7878/query")
    return values


def service_option(fn: F) -> F:
    return click.option(
        "--allow-service", "allow_service", multiple=True, metavar="URL",
        callback=_service_urls,
        help="Allow SERVICE clauses to this endpoint: same scheme, host and port, and its path "
        "or below, compared after removing dot-segments (repeatable); all others are "
        "refused.")(fn)


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {item!r} is not KEY=VALUE",
                             hint="Example: --param date=2018-07-01")
        out[key] = value
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="natoeu")
@click.option("--home", type=click.Path(file_okay=False),
              help="Project tree with ontology/, data/, queries/ (default: $NATOEU_HOME, else "
              "the tree around the working directory, as git finds a repository, else the "
              "packaged copy).")
@click.option("--no-cache", is_flag=True, help="Rebuild the reasoned graph; do not cache it.")
@click.pass_context
def main(ctx: click.Context, home: str | None, no_cache: bool) -> None:
    """Ask a knowledge graph of NATO-EU relations, offline.

    \b
    Example:
      natoeu query shared-members --param date=2018-07-01
    """
    # rdflib logs a traceback for each ill-typed literal; our own message names file and line
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    try:
        ctx.obj = Ctx(home, not no_cache)
    except NatoeuError as exc:
        _fail(exc)


@main.command("queries")
@click.pass_obj
@handled
def queries_cmd(obj: Ctx) -> None:
    """List the canned queries with their parameters.

    \b
    Example:
      natoeu queries
    """
    for q in list_queries(obj.res.queries_dir):
        params = " ".join(f"{p.name}={p.default or '?'}" for p in q.params)
        needs = "  [needs --with]" if q.external else ""
        click.echo(f"{q.name:28} {q.summary}" + (f"  [{params}]" if params else "") + needs)


@main.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter value, e.g. date=2018-07-01 (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(RESULT_FORMATS), default="table",
              show_default=True)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@with_option
@service_option
@backend_options
@engine_option
@click.pass_obj
@handled
def query_cmd(obj: Ctx, name: str, params: tuple[str, ...], fmt: str, no_validate: bool,
              extra: tuple[str, ...], allow_service: tuple[str, ...], store: str | None,
              endpoint: str | None, engine: str) -> None:
    """Run the canned query NAME.

    \b
    Example:
      natoeu query shared-members --param date=2018-07-01 --format csv
    """
    from .sparql.entities import resolve

    q = get_query(obj.res.queries_dir, name)
    given = _params(params)
    if q.external and not extra and not endpoint:
        raise UsageError(f"query '{name}' needs external data merged with --with: {q.external}",
                         hint=f"Run it as: natoeu query {name} --with FILE_OR_DIR (Turtle, "
                         "N-Triples, TriG, N-Quads, JSON-LD or RDF/XML).")
    check_values(q, given)  # before the graph is built; entities are looked up in it
    from .stores.proven import OXIGRAPH_EQUAL

    # Oxigraph where its answers to this query are proven equal to rdflib's (on the graph alone)
    proven = engine == "auto" and name in OXIGRAPH_EQUAL and not extra
    with obj.external(extra):
        backend = obj.backend(not no_validate, extra, store, endpoint, oxigraph=proven)
        given = resolve(q, given, lambda text, initial: backend.query(
            text, initial, source=f"{name}: entity lookup"))
        result = backend.query(q.text, bindings(q, given), source=q.path.name,
                               allow_service=allow_service)
        text = format_result(result, fmt)  # rdflib evaluates a SELECT as it is read
    click.echo(text, nl=False)
    if not (extra or store or endpoint):
        obj.prime_warm_path()


@main.command("sparql")
@click.argument("query", required=False)
@click.option("--file", "qfile", type=click.Path(dir_okay=False), help="Read the query from F.")
@click.option("--format", "-f", "fmt",
              type=click.Choice(RESULT_FORMATS + tuple(GRAPH_FORMATS)), default=None,
              help="table|csv|tsv|json for SELECT/ASK; ttl|nt|jsonld for CONSTRUCT/DESCRIBE.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@with_option
@service_option
@backend_options
@engine_option
@click.pass_obj
@handled
def sparql_cmd(obj: Ctx, query: str | None, qfile: str | None, fmt: str | None,
               no_validate: bool, extra: tuple[str, ...], allow_service: tuple[str, ...],
               store: str | None, endpoint: str | None, engine: str) -> None:
    """Run an ad-hoc SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query.

    \b
    Example:
      natoeu sparql 'PREFIX org: <http://www.w3.org/ns/org#>
        SELECT (COUNT(*) AS ?n) WHERE { ?m org:member ?s }'
    """
    if (query is None) == (qfile is None):
        raise UsageError("give the query text or --file F, not both or neither")
    source = "query"
    if qfile is not None:
        try:
            query = Path(qfile).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            from .core.errors import InputError

            raise InputError(qfile, None, f"cannot read query file: {exc}") from exc
        source = qfile
    assert query is not None
    with obj.external(extra):
        found = None
        if engine == "auto" and not (store or endpoint):
            from .stores.adhoc import answer

            found = answer(obj.oxigraph(not no_validate, extra), query, source, allow_service)
        if found is not None:
            text, empty = _answer_text(found, fmt)
        else:  # rdflib answers (see stores.adhoc), or the store or endpoint named
            backend = obj.backend(not no_validate, extra, store, endpoint)
            if store or endpoint:  # stores that read the text themselves get the declarations
                prepare(query, source, allow_service)  # errors located in the user's own text
                query = with_prefixes(query)
            result = backend.query(query, source=source, allow_service=allow_service)
            default = "ttl" if result.type in ("CONSTRUCT", "DESCRIBE") else "table"
            text = format_result(result, fmt or default)
            empty = not result.askAnswer if result.type == "ASK" else \
                (len(result.graph or ()) == 0 if result.graph is not None
                 else not select_rows(result))
    click.echo(text, nl=False)
    if empty:  # an empty answer may come from a misspelt term: say so
        from .sparql.entities import unknown_terms

        for note in unknown_terms(prepare(query, source, allow_service).algebra):
            click.echo(f"note: {note}", err=True)


def _answer_text(answer: Answer, fmt: str | None) -> tuple[str, bool]:
    """Oxigraph's answer in the format asked, in the bytes rdflib's would be written in
    (sparql.oxformat where it can, else through rdflib's terms), and whether it is empty."""
    from .core.namespaces import new_graph
    from .sparql import oxformat
    from .stores.backends import result_of

    chosen = fmt or ("ttl" if answer.kind == "GRAPH" else "table")
    bindings = {p: str(ns) for p, ns in new_graph().namespaces()}
    try:
        if answer.kind == "ASK":
            text = oxformat.ask_text(answer.boolean, chosen)
        elif answer.kind == "SELECT":
            text = oxformat.rows_text(answer.variables, answer.rows, chosen, bindings)
        else:
            text = oxformat.graph_text(answer.triples, chosen, bindings)
    except oxformat.Unsure:
        text = format_result(result_of(answer), chosen)
    return text, not (answer.boolean if answer.kind == "ASK" else answer.rows or answer.triples)


@main.command("prefixes")
@click.option("--format", "-f", "fmt", type=click.Choice(["sparql", "turtle"]),
              default="sparql", show_default=True)
def prefixes_cmd(fmt: str) -> None:
    """List the prefixes declared for every query (a query's own PREFIX lines win).

    \b
    Example:
      natoeu prefixes
      natoeu sparql 'SELECT ?s ?l WHERE { ?s a natoeu:JointDeclaration ; rdfs:label ?l }'
    """
    for prefix, iri in standard_prefixes().items():
        click.echo(f"PREFIX {prefix}: <{iri}>" if fmt == "sparql" else
                   f"@prefix {prefix}: <{iri}> .")


@main.command("validate")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "turtle"]), default="text",
              show_default=True)
@click.pass_obj
@handled
def validate_cmd(obj: Ctx, fmt: str) -> None:
    """Validate the data against the SHACL shapes (exit 1 if it does not conform).

    \b
    Example:
      natoeu validate --format turtle > report.ttl
    """
    _say_tree(obj.res)
    report = validation(obj.res, obj.use_cache)
    click.echo(report["turtle"] if fmt == "turtle" else report["text"] + "\n", nl=False)
    if not report["conforms"]:
        sys.exit(1)


@main.command("export")
@click.option("--format", "-f", "fmt",
              type=click.Choice(["ttl", "nt", "jsonld", "trig", "nquads"]),
              default="ttl", show_default=True)
@click.option("--inferred", is_flag=True, help="Add the OWL RL entailments.")
@click.option("--frame", "frame_name", metavar="NAME",
              help="JSON-LD only: frame the data (declaration, membership, operation, tenure, "
              "claim).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomic).")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@with_option
@click.pass_obj
@handled
def export_cmd(obj: Ctx, fmt: str, inferred: bool, frame_name: str | None, output: str | None,
               no_validate: bool, extra: tuple[str, ...]) -> None:
    """Export the graph (ontology + data) deterministically.

    TriG and N-Quads put the ontology, the asserted data and the entailments in separate
    named graphs. JSON-LD is compact, with the published natoeu context.

    \b
    Example:
      natoeu export --format nt --inferred -o natoeu.nt
      natoeu export --format jsonld --frame declaration -o declarations.jsonld
    """
    from .outputs import jsonld
    from .outputs.export import framed, serialize

    if frame_name and fmt != "jsonld":
        raise UsageError(f"--frame frames JSON-LD, and the format asked for is {fmt}",
                         hint=f"Add -f jsonld: natoeu export -f jsonld --frame {frame_name}")
    if frame_name and inferred:  # it was silently ignored
        raise UsageError("--frame frames the asserted data; it cannot add the entailments "
                         "(--inferred)",
                         hint=f"Drop --inferred (natoeu export -f jsonld --frame {frame_name}), "
                         "or export the entailments unframed: natoeu export -f jsonld "
                         "--inferred.")
    context = load_context(obj.res.context)
    with obj.external(extra):
        built = obj.graph(not no_validate, extra)
        if frame_name:
            data = framed(built, context, jsonld.load_frame(obj.res.ontology_dir, frame_name))
        else:
            data = serialize(built, fmt, inferred=inferred, context=context,
                             remember=obj.use_cache)
    _emit(data, output)


def _say_tree(res: Resources) -> None:
    """Name the tree a checking command checks (stderr: stdout stays machine-readable)."""
    click.echo(f"natoeu: checking the {res.describe()}", err=True)


def _emit(data: bytes, output: str | None) -> None:
    if output:
        atomic.write_output(Path(output), data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command("describe")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomic).")
@click.pass_obj
@handled
def describe_cmd(obj: Ctx, output: str | None) -> None:
    """Print the dataset description (VoID and DCAT 3, Turtle) computed from the graph.

    \b
    Example:
      natoeu describe -o void.ttl
    """
    from .outputs.describe import describe

    _emit(describe(obj.graph()).serialize(format="turtle").encode("utf-8"), output)


@main.command("coverage")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to FILE (atomic), keeping the hand-written part it has.")
@click.pass_obj
@handled
def coverage_cmd(obj: Ctx, output: str | None) -> None:
    """Write what the graph covers, year by year and topic by topic (Markdown).

    Counts the fact nodes of the graph `natoeu export --inferred` writes by the year they
    begin and by topic, the precision of their dates, the lists checked against a count
    their sources state, and the known gaps. The part of FILE between the hand-written
    markers (what is known to be missing, and why) is kept as it is.

    \b
    Example:
      natoeu coverage -o docs/coverage.md
    """
    from .outputs.coverage import hand_written_part, render
    from .outputs.export import combined

    hand = None
    if output and Path(output).exists():
        hand = hand_written_part(Path(output).read_text(encoding="utf-8"))
    text = render(combined(obj.graph(), True), hand)
    _emit(text.encode("utf-8"), output)


def _previous_option(fn: F) -> F:
    return click.option(
        "--previous", metavar="OLD",
        help="The release this one revises: a release folder, a dump or a git revision "
        "(recorded as prov:wasRevisionOf its version).")(fn)


@main.command("release")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for the dumps and their description.")
@_previous_option
@click.pass_obj
@handled
def release_cmd(obj: Ctx, out_dir: str, previous: str | None) -> None:
    """Write the release: dumps in every format, the JSON-LD context and the VoID/DCAT file.

    The version is the ontology's owl:versionInfo (its owl:versionIRI must agree); the
    description gives it as dcat:version, and with --previous, prov:wasRevisionOf the
    previous release.

    \b
    Example:
      natoeu release -o build/release --previous build/release-0.1.0
    """
    from .outputs.diff import load_side
    from .outputs.release import release_files

    old = load_side(previous, obj.res) if previous else None
    if old is not None and old.version is None:
        raise UsageError(f"{previous}: states no version (no owl:versionInfo)",
                         hint="Give the folder of an earlier release or a git revision.")
    built = obj.graph()
    files = release_files(built, load_context(obj.res.context), obj.res.context.read_bytes(),
                          old.version if old else None, remember=obj.use_cache)
    target = Path(out_dir)
    for filename, data in files.items():
        atomic.write_output(target / filename, data)
    click.echo(f"wrote {len(files)} files to {target}", err=True)


@main.command("site")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write (new, empty, or an earlier site; replaced whole).")
@_previous_option
@click.option("--base-url", metavar="URL",
              help="Where the site will be published (https://.../): also write "
              "w3id/.htaccess, the w3id.org redirects to it.")
@click.pass_obj
@handled
def site_cmd(obj: Ctx, out_dir: str, previous: str | None, base_url: str | None) -> None:
    """Write the graph as a static web site: pages and RDF files for every entity and
    ontology term, the canned questions and a SPARQL page that run in the browser, search, the
    timeline, the dumps and their description, and Apache rules (.htaccess).

    Any static host serves the folder; it also opens from disk, where only SPARQL needs HTTP.
    With --previous, a "changes" page lists what changed since that release.

    \b
    Example:
      natoeu site -o build/site --base-url https://example.org/natoeu/
      cd build/site && python3 -m http.server 8000
    """
    import time

    from .outputs.diff import diff, load_side, side_of
    from .site.write import check_target, write_site

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise UsageError(f"--base-url {base_url!r} is not an http(s) URL",
                         hint="Give the address the site will have, e.g. "
                         "https://example.org/natoeu/.")
    start = time.monotonic()
    check_target(Path(out_dir))
    old = load_side(previous, obj.res) if previous else None
    built = obj.graph()
    changes = diff(old, side_of("this release", (built.ontology, built.asserted))) \
        if old is not None else None
    written = write_site(built, obj.res, Path(out_dir), load_context(obj.res.context),
                         obj.res.context.read_bytes(), changes, base_url, obj.use_cache)
    for iri in written.skipped:
        click.echo(f"warning: no page for {iri}: its local name cannot be a file name",
                   err=True)
    click.echo(f"wrote {len(written.files)} files to {written.root} ({written.entities} "
               f"entities, {written.terms} ontology terms) in "
               f"{time.monotonic() - start:.1f} s", err=True)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_obj
@handled
def diff_cmd(obj: Ctx, old: str, new: str, fmt: str) -> None:
    """Say what changed between two versions of the graph: facts added, removed and changed,
    grouped by entity, with labels. Exit 0 when they state the same facts, 1 when they differ.

    OLD and NEW are each a release folder (of `natoeu release` or `natoeu site`), a dump
    (.nt, .ttl, .jsonld, .trig, .nq), a project tree or a git revision of this project
    (HEAD~1, a tag). The ontology and the asserted facts are compared, not the entailments;
    blank nodes (time intervals, signatures) by what they say.

    \b
    Examples:
      natoeu diff build/release-0.1.0 build/release-0.2.0
      natoeu diff HEAD~5 HEAD --format json
    """
    import json as json_module

    from .outputs.diff import diff, load_side, to_json, to_text

    result = diff(load_side(old, obj.res), load_side(new, obj.res))
    if fmt == "json":
        click.echo(json_module.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(to_text(result), nl=False)
    if not result.equal:
        sys.exit(1)


@main.command("links")
@click.pass_obj
@handled
def links_cmd(obj: Ctx) -> None:
    """Show how many entities of each class link to Wikidata and DBpedia (owl:sameAs).

    \b
    Example:
      natoeu links
    """
    from .outputs.links import coverage

    rows = coverage(obj.graph())
    click.echo(f"{'class':28} {'entities':>8} {'wikidata':>9} {'dbpedia':>8}")
    for r in rows:
        cells = [f"{r.linked[t]:>4} {100 * r.linked[t] // max(r.entities, 1):>3}%"
                 for t in ("wikidata", "dbpedia")]
        click.echo(f"{r.cls:28} {r.entities:>8} {cells[0]:>9} {cells[1]:>8}")
    total = sum(r.entities for r in rows)
    click.echo(f"{'all linkable':28} {total:>8} "
               + " ".join(f"{sum(r.linked[t] for r in rows):>9}" for t in ("wikidata",
                                                                          "dbpedia")))


def _publish_credentials(endpoint: str) -> Credentials | None:
    """The write credentials from the environment, the password asked for if missing (never an
    option: command lines are visible to every user of the machine and kept in shell history)."""
    from .stores.publish import Credentials

    user = os.environ.get("NATOEU_PUBLISH_USER")
    password = os.environ.get("NATOEU_PUBLISH_PASSWORD")
    if not user:
        if password is not None:
            raise UsageError("NATOEU_PUBLISH_PASSWORD is set but NATOEU_PUBLISH_USER is not",
                             hint="Set NATOEU_PUBLISH_USER to the user the password belongs to.")
        return None
    if password is None:
        if not sys.stdin.isatty():
            raise UsageError(f"no password for user {user!r}",
                             hint="Set NATOEU_PUBLISH_PASSWORD, or run in a terminal to be "
                                  "asked for it.")
        password = click.prompt(f"Password of {user} at {endpoint}", hide_input=True, err=True)
    return Credentials(user, password)


@main.command("publish")
@click.option("--endpoint", required=True, metavar="URL", help="The store's SPARQL query URL.")
@click.option("--store-url", metavar="URL", help="Graph Store Protocol URL (default: derived).")
@click.option("--update-url", metavar="URL", help="SPARQL Update URL (default: derived).")
@click.pass_obj
@handled
def publish_cmd(obj: Ctx, endpoint: str, store_url: str | None, update_url: str | None) -> None:
    """Upload the validated, reasoned graph to a triplestore (SPARQL 1.1 Graph Store Protocol).

    The ontology, asserted data and entailments go to staging graphs, are counted, then replace
    three named graphs in one update; the triple counts are checked again afterwards. A store
    that guards writes (Virtuoso) gets the user in NATOEU_PUBLISH_USER and the password in
    NATOEU_PUBLISH_PASSWORD, or asked for at the terminal (HTTP Digest authentication).

    \b
    Examples:
      natoeu publish --endpoint http://127.0.0.1:7878/query
      natoeu query shared-members --endpoint http://127.0.0.1:7878/query
      NATOEU_PUBLISH_USER=dba natoeu publish --endpoint http://127.0.0.1:8890/sparql
    """
    from .stores.publish import publish

    credentials = _publish_credentials(endpoint)
    for graph, n in publish(obj.graph(), endpoint, store_url, update_url,
                            credentials).items():
        click.echo(f"{graph}: {n} triples")


@main.command("load")
@click.option("--store", "store", required=True, metavar="oxigraph:PATH",
              help="The persistent Oxigraph store to build.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@click.pass_obj
@handled
def load_cmd(obj: Ctx, store: str, no_validate: bool) -> None:
    """Build the graph straight into an Oxigraph store, for graphs too big for the default path.

    Oxigraph parses, pyshacl validates, the ontology's rules run inside the store; later
    queries with --store oxigraph:PATH answer from it at once.

    \b
    Example:
      natoeu --home big/ load --store oxigraph:big.store
      natoeu --home big/ query member-counts --store oxigraph:big.store
    """
    import time

    from .stores import disk
    from .stores.load import load_store

    kind, _, path = store.partition(":")
    if kind != "oxigraph" or not path:
        raise UsageError(f"--store {store!r} is not oxigraph:PATH")
    start = time.monotonic()
    triples = load_store(obj.res, disk.location(Path(path)), validated=not no_validate,
                        progress=lambda msg: click.echo(
                            f"{time.monotonic() - start:7.1f} s  {msg}", err=True))
    click.echo(f"wrote {path}: {triples} triples in 3 named graphs")


@main.command("check")
@click.pass_obj
@handled
def check_cmd(obj: Ctx) -> None:
    """The CI gate: parse and validate everything, run the checks and every canned query.

    \b
    Example:
      natoeu check
    """
    from .pipeline.build import build_then
    from .qa.gate import NOT_RUN, gate

    _say_tree(obj.res)
    # the gate runs as soon as the graph is reasoned, beside its validation
    built, outcome = build_then(obj.res, lambda b: gate(b, obj.res, obj.use_cache),
                                use_cache=obj.use_cache)
    assert outcome is not None
    obj.built = built
    click.echo(f"graph: {built.size('ontology')} ontology, {built.size('asserted')} asserted, "
               f"{built.size('inferred')} inferred triples; conforms to the shapes")
    for c in outcome.checks:
        if c.rows:
            click.echo(f"FAIL check {c.name}: {len(c.rows)} row(s): {c.summary}", err=True)
            for where, row in c.located()[:20]:
                click.echo("    " + (f"{where}: " if where else "") + "  ".join(row), err=True)
            if len(c.rows) > 20:
                click.echo(f"    ... and {len(c.rows) - 20} more", err=True)
        else:
            click.echo(f"ok   check {c.name}")
    for name, n in outcome.queries:
        if n == NOT_RUN:
            click.echo(f"ok   query {name} (parses; it runs with --with data)")
        else:
            click.echo(f"ok   query {name} ({n} row{'s' if n != 1 else ''})")
    if outcome.failed:
        click.echo(f"error: {len(outcome.failed)} check(s) returned rows", err=True)
        sys.exit(1)


@main.command("qa")
@click.option("--fail-on", type=click.Choice(["error", "warn", "info", "none"]), default="error",
              show_default=True, help="Exit 1 if any finding is at this level or worse.")
@click.option("--min-level", type=click.Choice(["error", "warn", "info"]), default="info",
              show_default=True, help="List findings at this level or worse (the summary counts "
              "all).")
@click.pass_obj
@handled
def qa_cmd(obj: Ctx, fail_on: str, min_level: str) -> None:
    """Check the quality of the ontology and data: ROBOT report checks, OOPS! pitfalls and
    domain checks (overlapping memberships, two holders of a post, facts without a source ...).

    Prints a summary by check (level and count), then each finding with the file and line that
    hold it. The checks live in queries/qa/*.rq. Exit 1 on any error-level finding.

    \b
    Example:
      natoeu qa --min-level warn
      natoeu qa --fail-on warn
    """
    from .qa.report import run_qa

    _say_tree(obj.res)
    report = run_qa(obj.res, use_cache=obj.use_cache)
    width = max(len(c.name) for c in report.checks)
    click.echo(f"{'check':{width}}  level  count  refs")
    for c in report.checks:
        click.echo(f"{c.name:{width}}  {c.level:5}  {report.count(c.name):5}  {c.refs}")
    totals = ", ".join(f"{sum(1 for f in report.findings if f.level == lv)} {lv}"
                       for lv in ("error", "warn", "info"))
    click.echo(f"{len(report.checks)} checks; findings: {totals}")
    for f in report.at_least(min_level):
        where = f"{f.where}: " if f.where else ""
        what = " ".join(x for x in (f.entity, f.property, f.value) if x)
        click.echo(f"{f.level}: {f.check}: {where}{what}: {f.message}")
    if report.failed(fail_on):
        click.echo(f"error: quality checks failed (findings at level {fail_on} or worse)",
                   err=True)
        sys.exit(1)


@main.command("stale")
@click.option("--older-than", "older_than", type=click.IntRange(min=0), default=365,
              show_default=True, metavar="DAYS",
              help="List open ends last verified more than DAYS days ago (or never).")
@click.option("--today", "today_text", default=None, metavar="DATE",
              help="Count ages from this date (YYYY-MM-DD) instead of today.")
@click.option("--all", "show_all", is_flag=True,
              help="List every open end, however fresh (the exit code still follows DAYS).")
@click.pass_obj
@handled
def stale_cmd(obj: Ctx, older_than: int, today_text: str | None, show_all: bool) -> None:
    """List facts without an end whose last verification is older than DAYS, most stale first.

    A membership, term or operation without an end says either "ongoing, verified on DATE"
    or "end not known after DATE"; both age. Each row shows the fact, its status, the date it
    was last verified, against which source, and its sources. Exit 1 if any is older than DAYS
    (CI runs this with its own limit), 0 otherwise.

    \b
    Example:
      natoeu stale --older-than 180
      natoeu stale --all --today 2026-12-01
    """
    import datetime as dt

    from rdflib import URIRef

    from .core.namespaces import new_graph
    from .outputs.labels import curie
    from .qa.stale import open_ends, stale

    try:
        today = dt.date.fromisoformat(today_text) if today_text else dt.date.today()
    except ValueError:
        raise UsageError(f"--today {today_text!r} is not a date",
                         hint="Give it as YYYY-MM-DD, e.g. --today 2026-12-01.") from None
    rows = open_ends(obj.graph().asserted)
    old = stale(rows, today, older_than)
    shown = rows if show_all else old
    names = new_graph()
    for o in shown:
        age = o.age(today)
        verified = f"{o.last_verified} ({age} days)" if o.last_verified else "never"
        against = curie(names, o.verified_against) if o.verified_against else "-"
        sources = ", ".join(curie(names, URIRef(s)) for s in o.sources) or "-"
        click.echo(f"{curie(names, o.fact)}  {o.label or '-'}\n    {o.status}; last verified "
                   f"{verified} against {against}\n    sources: {sources}")
    click.echo(f"{len(old)} of {len(rows)} open ends last verified more than {older_than} days "
               f"before {today} (or never)", err=True)
    if old:
        sys.exit(1)


@main.command("reconcile")
@click.option("--print-query", "print_query", is_flag=True,
              help="Print the SPARQL query to run on the Wikidata Query Service, and stop.")
@click.option("--with", "results", metavar="FILE", type=click.Path(dir_okay=False),
              help="That query's answer, saved as SPARQL results JSON (.json) or Turtle (.ttl).")
@click.option("--differences-only", is_flag=True, help="List only rows that do not agree.")
@click.option("--missing", "list_missing", is_flag=True,
              help="List each fact or statement missing on one side (by default counted, with "
              "the first few named, after the differences).")
@click.option("--strict", is_flag=True,
              help="Exit 1 also when a fact is missing on either side, not only on a difference.")
@click.pass_obj
@handled
def reconcile_cmd(obj: Ctx, print_query: bool, results: str | None, differences_only: bool,
                  list_missing: bool, strict: bool) -> None:
    """Compare memberships and terms of office with Wikidata, offline.

    First print the query and run it on the Wikidata Query Service (query.wikidata.org), saving
    the answer as JSON; then compare: each fact of the graph whose entities link to Wikidata
    gets a row per date, "agree", "differs" (both values shown), "missing in Wikidata" or
    "missing here". Differences come first, then agreements; the facts missing on either side
    (usually many: Wikidata lacks most start dates) are counted, the first few named (--missing
    lists them all). Nothing is fetched by natoeu itself. Exit 1 when a value differs (with
    --strict, also when a fact is missing on either side).

    \b
    Example:
      natoeu reconcile --print-query > wikidata.rq
      natoeu reconcile --with wikidata-answer.json --differences-only
    """
    from collections import Counter

    from .core.namespaces import new_graph
    from .outputs.labels import curie
    from .qa.reconcile import (
        AGREE,
        DIFFERS,
        MISSING_HERE,
        MISSING_IN_WIKIDATA,
        read_results,
        reconcile,
        wikidata_query,
    )

    graph = obj.graph().merged()
    if print_query:
        click.echo(wikidata_query(graph), nl=False)
        return
    if results is None:
        raise UsageError("nothing to compare: give --with FILE or --print-query",
                         hint="Run `natoeu reconcile --print-query`, run that query on the "
                         "Wikidata Query Service, save the JSON, then `natoeu reconcile --with "
                         "FILE`.")
    with obj.external((results,)):  # the deadline of every --with: reading and comparing
        rows = reconcile(graph, read_results(Path(results)))
    # the differences first: among 58 rows of missing facts, the one real difference was lost
    order = [DIFFERS] + ([] if differences_only else [AGREE])
    missing = (MISSING_HERE, MISSING_IN_WIKIDATA)
    if list_missing:
        order += list(missing)
    names = new_graph()
    for status in order:
        for r in (r for r in rows if r.status == status):
            fact = curie(names, r.fact) if r.fact is not None else "-"
            click.echo(f"{r.status:20} {r.field:5}  {r.what}  ours={r.ours or '-'}  "
                       f"wikidata={r.theirs or '-'}  [{fact}; {r.statement}]")
    if not list_missing:
        for status in missing:
            whats = sorted({r.what for r in rows if r.status == status})
            if whats:
                n = sum(1 for r in rows if r.status == status)
                named = "; ".join(whats[:3]) + (f"; and {len(whats) - 3} more"
                                                if len(whats) > 3 else "")
                click.echo(f"{status}: {n} row{'s' if n != 1 else ''} ({named}); "
                           "--missing lists them")
    counts = Counter(r.status for r in rows)
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(counts.items())), err=True)
    failing = {DIFFERS, MISSING_HERE, MISSING_IN_WIKIDATA} if strict else {DIFFERS}
    if any(r.status in failing for r in rows):
        sys.exit(1)


@main.command("docs")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write (new, empty, or an earlier docs output; replaced whole).")
@click.pass_obj
@handled
def docs_cmd(obj: Ctx, out_dir: str) -> None:
    """Write offline HTML docs: ontology terms, class diagram, individuals per class.

    Needs Graphviz (`dot`) for the class diagram.

    \b
    Example:
      natoeu docs -o build/docs && xdg-open build/docs/index.html
    """
    from .outputs.docs import write_docs

    files = write_docs(obj.graph(), Path(out_dir),
                       obj.res.ontology.read_text(encoding="utf-8"))
    click.echo(f"wrote {len(files)} files to {out_dir}", err=True)


@main.command("timeline")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="FILE.svg or FILE.png (written atomically).")
@click.pass_obj
@handled
def timeline_cmd(obj: Ctx, output: str) -> None:
    """Draw memberships, documents, operations and terms of office on one time axis.

    \b
    Example:
      natoeu timeline -o build/timeline.svg
    """
    from .outputs.timeline import FORMATS, draw_timeline

    path = Path(output)
    if path.suffix.lower() not in FORMATS:  # before the slow build, not after it
        raise UsageError(f"cannot draw a timeline as {path.suffix or 'a file without suffix'!r}",
                         hint="Name the output FILE.svg or FILE.png.")
    draw_timeline(obj.graph(), path, remember=obj.use_cache)
    click.echo(f"wrote {output} ({path.stat().st_size} bytes)", err=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for ad-hoc queries (each query runs in one; a slow one "
              "holds only it).")
@click.option("--cheap-workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for canned queries and pages, never used by ad-hoc "
              "queries.")
@click.option("--per-client", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Ad-hoc queries one client address may have running or waiting; one more "
              "gets 429.")
@click.option("--header-timeout", default=5.0, show_default=True,
              type=click.FloatRange(0.1, 60),
              help="Seconds a connection has to send a complete request head, from its opening "
              "or its previous response; then it is closed.")
@click.option("--body-timeout", default=10.0, show_default=True,
              type=click.FloatRange(0.1, 60),
              help="Seconds a request body may take to arrive (408 after).")
@click.option("--max-connections", default=1000, show_default=True,
              type=click.IntRange(1), help="Open connections; past it requests get 503 with "
              "Retry-After.")
@click.option("--client-connections", default=64, show_default=True, type=click.IntRange(1),
              help="Open connections one client may hold; past it its requests get 429 and the "
              "connection is closed.")
@click.option("--write-timeout", default=10.0, show_default=True,
              type=click.FloatRange(0.1, 600),
              help="Seconds a client may leave an answer unread (the send buffer full) before "
              "its connection is cut.")
@click.option("--cheap-per-client", default=8, show_default=True, type=click.IntRange(1, 1024),
              help="Canned queries and pages one client may have computing or waiting; one "
              "more gets 429.")
@click.option("--local-prefix", default=24, show_default=True, type=click.IntRange(8, 32),
              metavar="BITS", help="IPv4 loopback and private addresses count as one client "
              "per network of BITS bits (32: each address is a client of its own).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
              help="A reverse proxy's address: requests from it are attributed to the client "
              "its X-Forwarded-For header names (repeatable; by default the header is "
              "ignored).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds a query may run before its worker is killed (503).")
@click.option("--canned-timeout", default=60.0, show_default=True,
              type=click.FloatRange(0.1, 60), help="The same for canned queries (/queries/NAME).")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Rows (or triples) per response; more are cut and X-Natoeu-Truncated set.")
@click.option("--max-bytes", default=8 * 1024 * 1024, show_default=True,
              type=click.IntRange(1024), help="Bytes per response body, likewise.")
@click.option("--max-body", default=1024 * 1024, show_default=True, type=click.IntRange(1024),
              help="Bytes per request body or query (413 above).")
@click.option("--queue", default=16, show_default=True, type=click.IntRange(0),
              help="Requests that may wait for a busy worker; one more gets 429.")
@click.option("--engine", type=click.Choice(["auto", "rdflib"]), default="auto",
              show_default=True, help="auto: ad-hoc queries, and the canned queries whose "
              "answers are proven equal on both engines, run on Oxigraph (faster; texts over "
              "8192 characters on rdflib); rdflib: everything on rdflib.")
@click.pass_obj
@handled
def serve_cmd(obj: Ctx, host: str, port: int, workers: int, cheap_workers: int,
              per_client: int, header_timeout: float, body_timeout: float,
              max_connections: int, client_connections: int, write_timeout: float,
              cheap_per_client: int, local_prefix: int, trusted_proxies: tuple[str, ...],
              timeout: float, canned_timeout: float, max_rows: int, max_bytes: int,
              max_body: int, queue: int, engine: str) -> None:
    """Serve the validated graph: SPARQL endpoint, dereferenceable IRIs and pages, read-only.

    /sparql (SPARQL 1.1 Protocol), /queries/NAME?param=value, /id/X and /ontology (content
    negotiation), /query (query editor), /classes. There is no --no-validate: a server never
    serves a graph that does not conform to the shapes. Queries see the named graphs
    https://w3id.org/natoeu/graph/{ontology,asserted,inferred} and, as the default graph, their
    merge; default-graph-uri, named-graph-uri and FROM may select among them, nothing else.

    \b
    Example:
      natoeu serve --port 8000 --timeout 10
      curl -H 'Accept: text/csv' 'http://127.0.0.1:8000/queries/member-counts?date=2018-07-01'
    """
    import ipaddress

    from .server import Limits, serve

    for proxy in trusted_proxies:
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise UsageError(f"--trusted-proxy {proxy!r} is not an IP address",
                             hint="Give the proxy's address as it connects, e.g. "
                             "--trusted-proxy 127.0.0.1.") from None
    limits = Limits(workers=workers, timeout=timeout, max_rows=max_rows, max_bytes=max_bytes,
                    max_body=max_body, queue=queue, canned_timeout=canned_timeout,
                    cheap_workers=cheap_workers, per_client=per_client,
                    header_timeout=header_timeout, body_timeout=body_timeout,
                    max_connections=max_connections, client_connections=client_connections,
                    write_timeout=write_timeout, cheap_per_client=cheap_per_client,
                    local_prefix=local_prefix, trusted_proxies=trusted_proxies)
    built = obj.graph(validated=True)
    click.echo(f"natoeu: serving {len(built.merged())} triples on http://{host}:{port}/ "
               f"({workers} workers, {timeout:g} s deadline); Ctrl+C stops", err=True)
    serve(built, obj.res, host, port, limits, engine)
