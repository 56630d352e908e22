"""`natoeu sparql` on Oxigraph: the policy of the rdflib path, then Oxigraph's answer.

The policy is the one queries.prepare applies on rdflib: FROM and FROM NAMED refused, SERVICE
refused unless ``--allow-service`` names its endpoint. rdflib's parser decides it for every text
that could hold either clause (sparql.screen.clear says which cannot). A query that does hold an
allowed SERVICE runs on rdflib, so that the parser that checked the allow list is the one that
evaluates it; so does a text only rdflib parses (a relative IRI without BASE, for one) and a text
too long for Oxigraph's stack (screen.fits). Everything else is evaluated by Oxigraph over the
three graphs, their merge as the default graph, as on rdflib.
"""

from __future__ import annotations

from ..sparql.queries import prepare, services
from ..sparql.screen import clear, fits
from .backends import OxigraphBackend
from .oxrun import Answer, evaluate


def answer(store: OxigraphBackend, text: str, source: str = "query",
           allow_service: tuple[str, ...] = ()) -> Answer | None:
    """Oxigraph's whole answer to ``text``, or None when rdflib is to answer it (see above).
    Raises UsageError for a text the policy refuses or neither parser reads."""
    if not fits(text):
        return None
    if not clear(text) and services(prepare(text, source, allow_service)):
        return None
    try:
        return evaluate(store.store, text, *store.dataset(), store.prefixes)
    except SyntaxError:
        prepare(text, source, allow_service)  # rdflib's message if it fails too
        return None
