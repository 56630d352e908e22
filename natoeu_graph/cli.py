"""The `natoeu` command line. The only module that prints or exits.

Exit codes: 0 success, 1 data does not conform or a check returned rows, 2 usage error,
3 unreadable input (names the file and line), 4 internal error.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, atomic
from .build import Built, build, check
from .errors import NatoeuError, NotConformingError, UsageError
from .queries import get_query, list_queries, run, run_canned
from .resources import Resources, locate
from .results import GRAPH_FORMATS, RESULT_FORMATS, format_result, select_rows

F = TypeVar("F", bound=Callable[..., Any])


def _fail(exc: NatoeuError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    if isinstance(exc, NotConformingError) and exc.report:
        click.echo(exc.report, err=True)
    if exc.hint:
        click.echo(f"hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


def handled(fn: F) -> F:
    """Turn library errors into one message and an exit code; never show a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NatoeuError as exc:
            _fail(exc)
        except BrokenPipeError:
            # the reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("NATOEU_DEBUG"):
                traceback.print_exc()
            click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("hint: this is a bug; rerun with NATOEU_DEBUG=1 and report it.", err=True)
            sys.exit(4)

    return wrapper  # type: ignore[return-value]


class Ctx:
    def __init__(self, home: str | None, use_cache: bool) -> None:
        self.res: Resources = locate(home)
        self.use_cache = use_cache

    def graph(self, validated: bool = True) -> Built:
        return build(self.res, validated=validated, use_cache=self.use_cache)


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
@click.option("--home", type=click.Path(file_okay=False), envvar="NATOEU_HOME",
              help="Project tree with ontology/, data/, queries/ (default: the packaged copy).")
@click.option("--no-cache", is_flag=True, help="Rebuild the reasoned graph; do not cache it.")
@click.pass_context
def main(ctx: click.Context, home: str | None, no_cache: bool) -> None:
    """Ask a knowledge graph of NATO-EU relations, offline.

    \b
    Example:
      natoeu query shared-members --param date=2018-07-01
    """
    ctx.obj = Ctx(home, not no_cache)


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
        click.echo(f"{q.name:28} {q.summary}" + (f"  [{params}]" if params else ""))


@main.command("query")
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter value, e.g. date=2018-07-01 (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(RESULT_FORMATS), default="table",
              show_default=True)
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@click.pass_obj
@handled
def query_cmd(obj: Ctx, name: str, params: tuple[str, ...], fmt: str, no_validate: bool) -> None:
    """Run the canned query NAME.

    \b
    Example:
      natoeu query shared-members --param date=2018-07-01 --format csv
    """
    q = get_query(obj.res.queries_dir, name)
    given = _params(params)
    result = run_canned(obj.graph(not no_validate).merged(), q, given)
    click.echo(format_result(result, fmt), nl=False)


@main.command("sparql")
@click.argument("query", required=False)
@click.option("--file", "qfile", type=click.Path(dir_okay=False), help="Read the query from F.")
@click.option("--format", "-f", "fmt",
              type=click.Choice(RESULT_FORMATS + tuple(GRAPH_FORMATS)), default=None,
              help="table|csv|tsv|json for SELECT/ASK; ttl|nt|jsonld for CONSTRUCT/DESCRIBE.")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@click.pass_obj
@handled
def sparql_cmd(obj: Ctx, query: str | None, qfile: str | None, fmt: str | None,
               no_validate: bool) -> None:
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
            from .errors import InputError

            raise InputError(qfile, None, f"cannot read query file: {exc}") from exc
        source = qfile
    assert query is not None
    result = run(obj.graph(not no_validate).merged(), query, source=source)
    default = "ttl" if result.type in ("CONSTRUCT", "DESCRIBE") else "table"
    click.echo(format_result(result, fmt or default), nl=False)


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
    report, _ = check(obj.res)
    if fmt == "turtle":
        click.echo(report.graph.serialize(format="turtle"), nl=False)
    else:
        click.echo(report.text())
    if not report.conforms:
        sys.exit(1)


@main.command("export")
@click.option("--format", "-f", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig"]),
              default="ttl", show_default=True)
@click.option("--inferred", is_flag=True, help="Add the OWL RL entailments.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomic).")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (debugging only).")
@click.pass_obj
@handled
def export_cmd(obj: Ctx, fmt: str, inferred: bool, output: str | None, no_validate: bool) -> None:
    """Export the graph (ontology + data) deterministically.

    \b
    Example:
      natoeu export --format nt --inferred -o natoeu.nt
    """
    from .export import serialize

    data = serialize(obj.graph(not no_validate), fmt, inferred=inferred)
    if output:
        atomic.write_bytes(Path(output), data)
        click.echo(f"wrote {output} ({len(data)} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command("check")
@click.pass_obj
@handled
def check_cmd(obj: Ctx) -> None:
    """The CI gate: parse and validate everything, run the checks and every canned query.

    \b
    Example:
      natoeu check
    """
    from .queries import parse_query_file

    built = obj.graph(True)
    graph = built.merged()
    click.echo(f"graph: {len(built.ontology)} ontology, {len(built.asserted)} asserted, "
               f"{len(built.inferred)} inferred triples; conforms to the shapes")
    failed = 0
    for path in sorted(obj.res.checks_dir.glob("*.rq")):
        q = parse_query_file(path)
        rows = select_rows(run(graph, q.text, source=f"queries/checks/{path.name}"))
        if rows:
            failed += 1
            click.echo(f"FAIL check {q.name}: {len(rows)} row(s): {q.summary}", err=True)
            for row in rows[:20]:
                click.echo("    " + "  ".join(str(t) for t in row), err=True)
        else:
            click.echo(f"ok   check {q.name}")
    for q in list_queries(obj.res.queries_dir):
        result = run_canned(graph, q, {})
        n = len(select_rows(result)) if result.type == "SELECT" else 1
        click.echo(f"ok   query {q.name} ({n} row{'s' if n != 1 else ''})")
    if failed:
        click.echo(f"error: {failed} check(s) returned rows", err=True)
        sys.exit(1)
