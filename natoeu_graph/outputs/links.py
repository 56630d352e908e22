"""Coverage of the owl:sameAs links to Wikidata and DBpedia, per class."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import OWL, RDF, URIRef

from ..core.namespaces import INSTANCES_BASE, TERMS_BASE
from ..pipeline.build import Built
from .describe import LINK_TARGETS

# The classes whose instances are expected to have an external identifier.
LINKABLE = ("State", "PartnerCountry", "InternationalOrganization", "Body", "CentreOfExcellence",
            "Person", "MilitaryOperation", "CivilianMission", "Place", "Post", "CyberIncident",
            "Summit", "Meeting")


@dataclass(frozen=True)
class Coverage:
    cls: str
    entities: int
    linked: dict[str, int]


def coverage(built: Built) -> list[Coverage]:
    """For each linkable class: how many of its (directly typed) entities link to each target."""
    g = built.asserted
    rows = []
    for name in LINKABLE:
        members = {s for s in g.subjects(RDF.type, URIRef(TERMS_BASE + name))
                   if str(s).startswith(INSTANCES_BASE)}
        linked = {
            target: sum(1 for m in members
                        if any(str(o).startswith(base) for o in g.objects(m, OWL.sameAs)))
            for target, (base, _) in LINK_TARGETS.items()
        }
        rows.append(Coverage(name, len(members), linked))
    return rows
