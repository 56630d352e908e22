"""The prefixes every query may use without declaring them, as the Wikidata Query Service does.

A query's own PREFIX declarations win over these.
"""

from __future__ import annotations

import re

from ..core.namespaces import PREFIXES

# Beyond the graph's own namespaces: Wikidata's direct properties, which queries joining a
# Wikidata extract (--with) use beside wd: items.
_QUERY_ONLY = {"wdt": "http://www.wikidata.org/prop/direct/"}

_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


def standard_prefixes() -> dict[str, str]:
    """Prefix -> namespace IRI, the project's own first, then the standard ones, then Wikidata."""
    return {**PREFIXES, **_QUERY_ONLY}


def prologue(text: str = "") -> str:
    """PREFIX lines for the standard prefixes ``text`` does not declare itself."""
    own = {m.group(1) or "" for m in _DECLARED.finditer(text)}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in standard_prefixes().items()
                   if p not in own)


def with_prefixes(text: str) -> str:
    """The query made self-contained, for stores that parse the text themselves (Oxigraph, a
    remote endpoint): the missing standard declarations go first."""
    return prologue(text) + text
