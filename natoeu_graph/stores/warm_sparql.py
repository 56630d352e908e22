"""The warm path of `natoeu sparql`: an ad-hoc query answered from the cached Oxigraph store,
without rdflib or click, in the bytes the full command would write.

It answers only what it can answer exactly as the full command does, and returns None for the
rest (the full command then runs): a text that could hold SERVICE or FROM (rdflib's parser must
decide those: sparql.screen), one Oxigraph does not parse, an empty answer (the full command
then looks for misspelt ontology terms), an answer sparql.oxformat cannot write as rdflib would,
any option but ``-f``/``--format``, ``--file`` and ``--engine auto``, and a stale index
(stores.warm.current).
"""

from __future__ import annotations

from pathlib import Path

from ..sparql.oxformat import Unsure, ask_text, graph_text, rows_text
from ..sparql.screen import clear
from .oxrun import evaluate
from .warm import _GRAPHS, current, open_store

_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "jsonld")


def _arguments(argv: list[str]) -> tuple[str, str | None] | None:
    """``sparql (TEXT | --file F) [-f FORMAT] [--engine auto]``: the text and format."""
    if not argv or argv[0] != "sparql":
        return None
    text = path = fmt = None
    rest = argv[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg in ("-f", "--format", "--file", "--engine") and i + 1 < len(rest):
            value = rest[i + 1]
            if arg == "--file" and path is None:
                path = value
            elif arg in ("-f", "--format") and fmt is None and value in _FORMATS:
                fmt = value
            elif not (arg == "--engine" and value == "auto"):
                return None
            i += 2
        elif arg.startswith("-") or text is not None:
            return None
        else:
            text = arg
            i += 1
    if (text is None) == (path is None):
        return None
    if path is not None:
        text = Path(path).read_text(encoding="utf-8")
    assert text is not None
    return text, fmt


def answer(argv: list[str]) -> str | None:
    """The output of a warm `natoeu sparql`, or None if the full command must run."""
    try:
        return _answer(argv)
    except Exception:  # anything unexpected (a SyntaxError too): the full command reports it
        return None


def _answer(argv: list[str]) -> str | None:
    parsed = _arguments(argv)
    if parsed is None:
        return None
    text, fmt = parsed
    if not clear(text):
        return None
    found = current()
    if found is None:
        return None
    index, _ = found
    store = open_store(index)
    if store is None:
        return None
    names = index["names"]
    result = evaluate(store, text, _GRAPHS, _GRAPHS, names["prefixes"])
    try:
        if result.kind == "ASK":
            return ask_text(result.boolean, fmt or "table") if result.boolean else None
        if result.kind == "SELECT":
            return rows_text(result.variables, result.rows, fmt or "table",
                             names["bindings"]) if result.rows else None
        return graph_text(result.triples, fmt or "ttl", names["bindings"]) \
            if result.triples else None
    except Unsure:
        return None
