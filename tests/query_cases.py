"""The canned-query cases whose expected rows live in tests/expected/ (name, parameters)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

CASES: list[tuple[str, dict[str, str]]] = [
    ("shared-members", {"date": "2018-07-01"}),
    ("shared-members", {"date": "2026-11-25"}),
    ("nato-members", {"date": "2018-07-01"}),
    ("nato-members", {"date": "2026-11-25"}),
    ("eu-members", {"date": "2018-07-01"}),
    ("eu-members", {"date": "2020-02-01"}),
    ("member-counts", {"date": "2018-07-01"}),
    ("member-counts", {"date": "2020-02-01"}),
    ("member-counts", {"date": "2023-04-04"}),
    ("member-counts", {"date": "2026-11-25"}),
    ("post-holder", {"date": "2016-07-08"}),
    ("post-holder", {"date": "2026-11-25"}),
    ("post-holder", {"post": "ne:post-president-european-council", "date": "2018-07-01"}),
    ("office-holders", {"date": "2018-07-01"}),
    ("office-holders", {"date": "2026-11-25"}),
    ("joint-declarations", {}),
    ("measure-packages", {}),
    ("measure-package-areas", {}),
    ("operations", {}),
    ("operation-links", {"date": "2018-07-01"}),
    ("operation-links", {"date": "2026-11-25"}),
    ("exercises", {}),
    ("cyber-incidents", {}),
    ("hybrid-coe", {}),
    ("political-consultations", {}),
    ("progress-reports", {}),
    ("structures", {"date": "2018-07-01"}),
    ("structures", {"date": "2022-05-31"}),
    ("structures", {"date": "2026-11-25"}),
    ("timeline", {"from": "1990-01-01", "to": "1999-12-31"}),
    ("timeline", {"from": "2016-01-01", "to": "2018-07-31"}),
    ("timeline", {"from": "2018-08-01", "to": "2026-11-25"}),
    ("sources", {"entity": "ne:joint-declaration-2016"}),
    ("factsheet-changes", {"then": "2018-07-01", "now": "2026-11-25"}),
    ("factsheet-claims", {}),
    ("wikidata-iso-codes", {}),
]

# Queries that join external data: the file merged (as `--with` does) before they run.
EXTERNAL = {"wikidata-iso-codes": Path(__file__).parent / "fixtures" / "wikidata-iso-codes.ttl"}


def case_file(name: str, params: dict[str, str]) -> str:
    suffix = "".join(f"@{k}={v.replace(':', '_')}" for k, v in sorted(params.items()))
    return f"{name}{suffix}.csv"


# The cases every store can answer alone, for the tests that compare stores.
LOCAL = [(n, p) for n, p in CASES if n not in EXTERNAL]


def rows(result_csv: str) -> list[list[str]]:
    """A CSV answer as header + sorted rows: engines may order ties differently."""
    header, *body = csv.reader(io.StringIO(result_csv))
    return [header, *sorted(body)]


def assert_cli_endpoint_like_embedded(endpoint: str) -> None:
    """`natoeu query --endpoint` on a server the graph was published to answers as locally."""
    from conftest import run_cli

    args = ("query", "shared-members", "-p", "date=2018-07-01", "-f", "csv")
    embedded = run_cli(*args)
    remote = run_cli(*args, "--endpoint", endpoint)
    assert remote.returncode == 0, remote.stderr
    assert rows(remote.stdout) == rows(embedded.stdout)
    assert len(rows(remote.stdout)) == 1 + 22
