"""SPARQL 1.1 Protocol details: media types, Accept negotiation, errors as JSON.

Accept headers are parsed with q-values and wildcards (clients that send several types got the
wrong format from rdflib-endpoint); ties go to the server's order of preference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# format name -> (media type, other media types that select it)
RESULT_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "json": ("application/sparql-results+json", ("application/json",)),
    "xml": ("application/sparql-results+xml", ("application/xml", "text/xml")),
    "csv": ("text/csv", ()),
    "tsv": ("text/tab-separated-values", ()),
}
GRAPH_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ttl": ("text/turtle", ("application/x-turtle",)),
    "nt": ("application/n-triples", ("text/plain",)),
    "jsonld": ("application/ld+json", ("application/json",)),
    "rdfxml": ("application/rdf+xml", ("application/xml", "text/xml")),
}
HTML = ("text/html", ("application/xhtml+xml",))
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


class ProtocolError(Exception):
    """A request the endpoint refuses; becomes a JSON error body with this status."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int


def _ranges(accept: str | None) -> list[_Range]:
    out = []
    for i, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        main, _, sub = fields[0].lower().partition("/")
        if not main or not sub:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append(_Range(main, sub, q, i))
    return out


def negotiate(accept: str | None, offers: dict[str, tuple[str, tuple[str, ...]]],
              default: str) -> str | None:
    """The best format name in ``offers`` for an Accept header, or None (406).

    No header, or only ``*/*``, gives ``default``; an explicit type beats a wildcard at the
    same q; among equals the order of ``offers`` decides.
    """
    ranges = _ranges(accept)
    if not ranges:
        return default
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for rank, (name, (main_type, aliases)) in enumerate(offers.items()):
        for mt in (main_type, *aliases):
            t, _, s = mt.partition("/")
            for r in ranges:
                if r.type == t and r.subtype == s:
                    specificity = 2
                elif r.type == t and r.subtype == "*":
                    specificity = 1
                elif r.type == "*" and r.subtype == "*":
                    specificity = 0
                else:
                    continue
                if r.q <= 0:
                    continue
                # wildcards pick the default first, then server order
                tie = -rank if specificity else (1 if name == default else -rank)
                key = (r.q, specificity, tie)
                if best is None or key > best:
                    best, choice = key, name
    return choice


def media_type(fmt: str) -> str:
    table = RESULT_TYPES | GRAPH_TYPES
    return table[fmt][0] if fmt in table else "text/html"


def charset_of(content_type: str) -> str | None:
    for f in content_type.split(";")[1:]:
        key, _, value = f.strip().partition("=")
        if key.lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def base_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()
