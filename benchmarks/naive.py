"""The naive path a typical rdflib user writes: load, reason and validate on every call.

    python benchmarks/naive.py ROOT   (ROOT holds ontology/, data/, queries/)
"""

from __future__ import annotations

import sys
from pathlib import Path

import owlrl
import pyshacl
from rdflib import XSD, Graph, Literal

root = Path(sys.argv[1])
g = Graph()
g.parse(root / "ontology" / "natoeu.ttl")
for f in sorted((root / "data").glob("*.ttl")):
    g.parse(f)
shapes = Graph().parse(root / "ontology" / "natoeu.shapes.ttl")
conforms, _, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=True,
                                  allow_warnings=True)
owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
query = (root / "queries" / "shared-members.rq").read_text(encoding="utf-8")
rows = list(g.query(query, initBindings={"_date_xsd_date": Literal("2018-07-01",
                                                                     datatype=XSD.date)}))
print(conforms, len(rows))
