"""Open ends that need checking again: `natoeu stale`.

A time span without an end is a claim about today ("ongoing, verified on DATE" or "end not known
after DATE"). Such a claim ages: this lists every open span with the date it was last verified,
its status and sources, most stale first, so that someone re-checks it against a current source.
A span that carries no verification at all is listed first (it was never verified).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.query import ResultRow

from ..core.namespaces import NATOEU, PREFIXES
from ..sparql.queries import run

_OPEN_ENDS = """
SELECT ?fact ?label ?status ?verified ?against (GROUP_CONCAT(DISTINCT STR(?source); separator=" ")
       AS ?sources) WHERE {
  ?fact org:memberDuring|natoeu:during ?span .
  ?span time:hasBeginning ?begin .
  FILTER NOT EXISTS { ?span time:hasEnd ?end }
  OPTIONAL { ?fact rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?span natoeu:endStatus ?status }
  OPTIONAL { ?span natoeu:lastVerified ?verified }
  OPTIONAL { ?span natoeu:verifiedAgainst ?against }
  OPTIONAL { ?fact prov:wasDerivedFrom ?source }
}
GROUP BY ?fact ?label ?status ?verified ?against
"""

_STATUS = {str(NATOEU.Ongoing): "ongoing", str(NATOEU.EndUnknown): "end not known"}


@dataclass(frozen=True)
class OpenEnd:
    fact: URIRef
    label: str
    status: str  # "ongoing", "end not known" or "not stated"
    last_verified: dt.date | None
    verified_against: URIRef | None
    sources: tuple[str, ...]

    def age(self, today: dt.date) -> int | None:
        """Days since the last verification; None if it was never verified."""
        return None if self.last_verified is None else (today - self.last_verified).days


def open_ends(graph: Graph) -> list[OpenEnd]:
    """Every fact with a time span that has no end, oldest verification first."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))
    out = []
    for result in run(graph, prefixes + _OPEN_ENDS):
        if not isinstance(result, ResultRow):
            continue
        row = result.asdict()
        seen = row.get("verified")
        verified = seen.toPython() if isinstance(seen, Literal) else None
        against = row.get("against")
        out.append(OpenEnd(
            fact=URIRef(str(row["fact"])),
            label=str(row.get("label", "")),
            status=_STATUS.get(str(row.get("status")), "not stated"),
            last_verified=verified if isinstance(verified, dt.date) else None,
            verified_against=against if isinstance(against, URIRef) else None,
            sources=tuple(sorted(str(row.get("sources", "")).split())),
        ))
    return sorted(out, key=lambda o: (o.last_verified is not None,
                                      o.last_verified or dt.date.min, str(o.fact)))


def stale(ends: list[OpenEnd], today: dt.date, older_than: int) -> list[OpenEnd]:
    """Those of ``ends`` last verified more than ``older_than`` days before ``today`` (or
    never), in their order."""
    return [o for o in ends
            if o.last_verified is None or (today - o.last_verified).days > older_than]
