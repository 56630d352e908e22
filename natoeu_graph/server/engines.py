"""Which engine answers a canned query: Oxigraph where its answers are proven equal to rdflib's
(stores.proven lists them and says how they are proven); rdflib for everything else, ad-hoc
queries included (nothing proves their answers equal: Oxigraph stores an
``xsd:nonNegativeInteger`` literal as ``xsd:integer``, for one).
"""

from __future__ import annotations

from ..pipeline.build import Built
from ..stores.backends import OxigraphBackend
from ..stores.proven import OXIGRAPH_EQUAL

__all__ = ["ENGINES", "OXIGRAPH_EQUAL", "oxigraph"]

ENGINES = ("auto", "rdflib")  # auto: Oxigraph for the proven queries, rdflib for the rest


def oxigraph(built: Built, engine: str) -> OxigraphBackend | None:
    """An in-memory Oxigraph store of ``built`` (made before the workers fork, shared with
    them), or None when ``engine`` is "rdflib"."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
    return OxigraphBackend(built) if engine == "auto" else None
