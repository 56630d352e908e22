"""Which engine answers a query: Oxigraph, in memory, for ad-hoc queries (server.adhoc; the
W3C SPARQL 1.1 query tests chose it, see docs/serving.md) and for the canned queries whose
answers it is proven to give as rdflib does (stores.proven lists them and says how they are
proven); rdflib for the other canned queries and for ad-hoc texts too long for Oxigraph's stack.
``--engine rdflib`` runs everything on rdflib.
"""

from __future__ import annotations

from ..pipeline.build import Built
from ..stores.backends import OxigraphBackend
from ..stores.proven import OXIGRAPH_EQUAL

__all__ = ["ENGINES", "OXIGRAPH_EQUAL", "oxigraph"]

ENGINES = ("auto", "rdflib")  # auto: Oxigraph for ad-hoc and proven canned queries


def oxigraph(built: Built, engine: str) -> OxigraphBackend | None:
    """An in-memory Oxigraph store of ``built`` (made before the workers fork, shared with
    them), or None when ``engine`` is "rdflib"."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
    return OxigraphBackend(built) if engine == "auto" else None
