"""Ad-hoc queries on Oxigraph, in a worker: the same policy as on rdflib, then Oxigraph's answer.

The policy: SERVICE refused, FROM / FROM NAMED and the protocol's dataset parameters only among
the served graphs (dataset.select). rdflib's parser decides it for every text that could hold
SERVICE or FROM (sparql.screen.clear says which cannot); Oxigraph then evaluates the text over
the chosen graphs, which it is given explicitly, so a FROM in the text never widens them. Texts
too long for Oxigraph's stack (screen.fits) are left to rdflib (``wanted`` is False), and so are
texts that only rdflib parses (``run`` returns None). Relative IRIs resolve against the base the
app gives (the service's IRI), on both engines. A syntax error is reported with rdflib's
message, which names the line and column and hints at the fix, as everywhere else.
"""

from __future__ import annotations

from ..sparql.queries import dataset_clause, prepare
from ..sparql.screen import clear, fits
from ..stores.backends import OxigraphBackend
from ..stores.oxrun import Answer, evaluate
from .dataset import OWN_GRAPHS, Selection, select


def wanted(store: OxigraphBackend | None, text: str) -> bool:
    """Whether this ad-hoc query runs on Oxigraph: the engine is on and the text fits."""
    return store is not None and fits(text)


def selection(text: str, chosen: list[list[str]] | None, base: str | None = None) -> Selection:
    """The dataset a query runs over, the policy checked (UsageError or ProtocolError if
    refused): the protocol's parameters (``chosen``, already checked by the app) win over the
    query's FROM clauses; neither means every served graph, their merge as the default one.
    ``base``: the IRI relative IRIs resolve against (the service's, when the text has any)."""
    clause = None
    if not clear(text):  # it may hold SERVICE or FROM: rdflib's parser decides
        clause = dataset_clause(prepare(text, "query", allow_dataset=True, base=base))
    if chosen is not None:
        return Selection(*map(tuple, chosen))
    if clause:
        return select(*clause, "FROM and FROM NAMED")
    return Selection(OWN_GRAPHS, OWN_GRAPHS)


def run(store: OxigraphBackend, text: str, chosen: list[list[str]] | None,
        limit: int, base: str | None = None) -> Answer | None:
    """Oxigraph's answer, at most ``limit`` rows or triples of it (``Answer.more`` says if
    there were more); None for a text that rdflib parses and Oxigraph does not (a relative IRI
    without BASE, for one): rdflib answers it, as before. Raises UsageError for a text that the
    policy refuses or neither parser reads."""
    sel = selection(text, chosen, base)
    default: list[str] | None = list(sel.default)
    named: list[str] | None = list(sel.named)
    if sel == Selection(OWN_GRAPHS, OWN_GRAPHS):
        default, named = store.dataset()
    try:
        return evaluate(store.store, text, default, named, store.prefixes, base, limit)
    except SyntaxError:
        prepare(text, "query", allow_dataset=True, base=base)  # rdflib's message if it fails
        return None
