"""Each SHACL shape with one conforming and one violating snippet.

Snippets are cut from the shipped data: for every node shape with a class target, one real
instance with its blank-node closure and the types of the nodes it points to (conforming), and
the same snippet with the triples of one required path removed (violating). Cross-fact rules
(SPARQL constraints) get hand-written snippets below.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.term import Node

from natoeu_graph.core.namespaces import new_graph
from natoeu_graph.core.resources import Resources, locate
from natoeu_graph.outputs.walk import Triple, blank_nodes, walk
from natoeu_graph.pipeline.build import Built
from natoeu_graph.pipeline.parse import parse_turtle
from natoeu_graph.pipeline.validate import validate

SH = Namespace("http://www.w3.org/ns/shacl#")
NATOEU = Namespace("https://w3id.org/natoeu/ontology#")
NE = Namespace("https://w3id.org/natoeu/id/")


@pytest.fixture(scope="module")
def shapes(res: Resources) -> Graph:
    return parse_turtle(res.shapes)


def class_shapes(res: Resources) -> list[tuple[str, str]]:
    g = parse_turtle(res.shapes)
    return sorted((str(s), str(c)) for s, c in g.subject_objects(SH.targetClass))


def closure(g: Graph, node: Node) -> Iterator[Triple]:
    """The node's triples and those of the blank nodes under it."""
    return walk(g, node, follow=blank_nodes)


def snippet(built: Built, instance: URIRef) -> Graph:
    data = built.asserted
    out = new_graph()
    out += built.ontology
    for t in closure(data, instance):
        out.add(t)
    # the nodes it points to, and the documents that point to it, with their types only
    for o in list(out.objects()):
        if isinstance(o, URIRef) and o != instance:
            for typ in data.objects(o, RDF.type):
                out.add((o, RDF.type, typ))
            for tenure in data.subjects(NATOEU.post, o):  # cross-fact rules need the tenures
                for t in closure(data, tenure):
                    out.add(t)
    for s, p in data.subject_predicates(instance):
        out.add((s, p, instance))
        for t in closure(data, s):
            if t[1] in (NATOEU.signature, RDF.type) or t[1].endswith("date"):
                out.add(t)
    return out


def focus_violations(report_results: list, instance: URIRef) -> list:
    short = instance.replace(str(NE), "ne:")
    return [v for v in report_results if v.focus == short and v.severity == "Violation"]


def instance_of(built: Built, cls: URIRef) -> URIRef:
    # abstract classes (Event, Document, ...) have instances only through their subclasses
    direct = sorted(s for s in built.merged().subjects(RDF.type, cls)
                    if isinstance(s, URIRef) and str(s).startswith(str(NE)))
    assert direct, f"no instance of {cls} in the shipped data to cut a snippet from"
    return direct[0]


def required_paths(shapes: Graph, shape: URIRef) -> list[Node]:
    paths = []
    for prop in shapes.objects(shape, SH.property):
        min_count = shapes.value(prop, SH.minCount)
        path = shapes.value(prop, SH.path)
        severity = shapes.value(prop, SH.severity)
        if min_count is not None and int(min_count) > 0 and severity is None:
            paths.append(path)
    return paths


CLASS_SHAPES = class_shapes(locate())


@pytest.mark.parametrize(("shape", "cls"), CLASS_SHAPES,
                         ids=[s.split("#")[1] for s, _ in CLASS_SHAPES])
def test_shape_conforming_and_violating(built: Built, shapes: Graph, shape: str, cls: str) -> None:
    instance = instance_of(built, URIRef(cls))
    good = snippet(built, instance)
    assert focus_violations(validate(good, shapes).results, instance) == []
    paths = required_paths(shapes, URIRef(shape)) or [RDFS.label]
    bad = Graph()
    bad += good
    for path in paths:
        if isinstance(path, URIRef):
            bad.remove((instance, path, None))
        else:  # a sequence path: cut its first step
            first = shapes.value(path, RDF.first)
            if first is not None:  # inverse paths are left alone
                bad.remove((instance, first, None))
    found = focus_violations(validate(bad, shapes).results, instance)
    assert found, f"removing {paths} from {instance} raised no violation of {shape}"
    assert all(v.message for v in found)


def test_every_class_has_a_shape(built: Built) -> None:
    from rdflib import OWL

    classes = {str(c) for c in built.ontology.subjects(RDF.type, OWL.Class)
               if str(c).startswith(str(NATOEU))}
    assert classes == {c for _, c in CLASS_SHAPES if c.startswith(str(NATOEU))}


def test_every_constraint_has_a_message(shapes: Graph) -> None:
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
            shapes.subjects(RDF.type, SH.PropertyShape)):
        props = list(shapes.objects(shape, SH.property))
        for prop in props:
            assert shapes.value(prop, SH.message), f"a property of {shape} has no sh:message"
        for sparql in shapes.objects(shape, SH.sparql):
            assert shapes.value(sparql, SH.message), f"a SPARQL constraint of {shape} lacks one"
        own = set(shapes.predicates(shape)) - {RDF.type, SH.targetClass, SH.property, SH.sparql,
                                                SH.targetObjectsOf, SH.message, SH.severity,
                                                RDFS.label, RDFS.comment}
        if own:
            assert shapes.value(shape, SH.message), f"{shape} has constraints without sh:message"


# --- cross-fact rules (SPARQL constraints) and value checks, hand-written -------------------

PREFIXES = """
@prefix ne: <https://w3id.org/natoeu/id/> .
@prefix natoeu: <https://w3id.org/natoeu/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ne:src a natoeu:Source ; rdfs:label "A source"@en ; dcterms:title "A source" ;
    natoeu:sourceKind natoeu:OfficialText ; dcterms:publisher ne:O .
ne:X a natoeu:State ; rdfs:label "X"@en ; dcterms:identifier "XXX" ; prov:wasDerivedFrom ne:src .
ne:O a natoeu:InternationalOrganization ; rdfs:label "O"@en ; skos:altLabel "O"@en ;
    prov:wasDerivedFrom ne:src .
ne:P a natoeu:Post ; rdfs:label "P"@en ; org:postIn ne:O ; prov:wasDerivedFrom ne:src .
ne:A a natoeu:Person ; rdfs:label "A"@en ; foaf:name "A" ; prov:wasDerivedFrom ne:src .
ne:B a natoeu:Person ; rdfs:label "B"@en ; foaf:name "B" ; prov:wasDerivedFrom ne:src .
ne:t-a a natoeu:Tenure ; rdfs:label "A as P"@en ; natoeu:post ne:P ; natoeu:holder ne:A ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    natoeu:during [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2010-01-01"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "2014-12-31"^^xsd:date ] ] .
""".replace("@prefix xsd:", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix xsd:")

RULES = {
    "interval ends before it begins": ("""
ne:m a natoeu:Membership ; rdfs:label "X in O"@en ; org:member ne:X ; org:organization ne:O ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    org:memberDuring [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2004-05-01"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "%s"^^xsd:date ] ] .
""", "2020-01-31", "2001-01-01", "ends"),
    "membership without a start date": ("""
ne:m a natoeu:Membership ; rdfs:label "X in O"@en ; org:member ne:X ; org:organization ne:O ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    org:memberDuring [ a time:Interval ;
        natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2025-01-01"^^xsd:date ;
        natoeu:verifiedAgainst ne:src ;
        time:hasBeginning [ a time:Instant ; %s ] ] .
""", 'time:inXSDDate "2004-05-01"^^xsd:date', 'rdfs:comment "some day"', "start date"),
    "ill-typed date": ("""
ne:d a natoeu:JointDeclaration ; rdfs:label "D"@en ; prov:wasDerivedFrom ne:src ;
    dcterms:date %s .
""", '"2016-07-08"^^xsd:date', '"8 July 2016"', "dcterms:date"),
    "overlapping memberships of one pair": ("""
ne:m1 a natoeu:Membership ; rdfs:label "X in O (1)"@en ; org:member ne:X ; org:organization ne:O ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    org:memberDuring [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "1973-01-01"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "2020-01-31"^^xsd:date ] ] .
ne:m2 a natoeu:Membership ; rdfs:label "X in O (2)"@en ; org:member ne:X ; org:organization ne:O ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    org:memberDuring [ a time:Interval ;
        natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2025-01-01"^^xsd:date ;
        natoeu:verifiedAgainst ne:src ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "%s"^^xsd:date ] ] .
""", "2030-01-01", "2019-01-01", "overlap"),
    "signatory did not hold the post on the signing date": ("""
ne:d a natoeu:JointDeclaration ; rdfs:label "D"@en ; prov:wasDerivedFrom ne:src ;
    dcterms:date "%s"^^xsd:date ; natoeu:signature ne:sig .
ne:sig a natoeu:Signature ; rdfs:label "A signs D"@en ; prov:wasDerivedFrom ne:src ;
    natoeu:signatory ne:A ; natoeu:inCapacityOf ne:P .
""", "2012-06-01", "2016-07-08", "did not hold"),
    "two holders of one post at once": ("""
ne:t-b a natoeu:Tenure ; rdfs:label "B as P"@en ; natoeu:post ne:P ; natoeu:holder ne:B ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    natoeu:during [ a time:Interval ;
        natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "2025-01-01"^^xsd:date ;
        natoeu:verifiedAgainst ne:src ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "%s"^^xsd:date ] ] .
""", "2015-01-01", "2014-06-01", "overlap"),
    "open end that does not say what it means": ("""
ne:m a natoeu:Membership ; rdfs:label "X in O"@en ; org:member ne:X ; org:organization ne:O ;
    natoeu:confidence natoeu:HighConfidence ; prov:wasDerivedFrom ne:src ;
    org:memberDuring [ a time:Interval ; %s
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2004-05-01"^^xsd:date ] ] .
""", "natoeu:endStatus natoeu:EndUnknown ; natoeu:lastVerified \"2019-05-01\"^^xsd:date ; "
         "natoeu:verifiedAgainst ne:src ;", "", "natoeu:endStatus"),
    "source that does not say what it is": ("""
ne:s2 a natoeu:Source ; rdfs:label "S2"@en ; dcterms:title "S2" ; dcterms:publisher ne:O %s .
ne:X prov:wasDerivedFrom ne:s2 .
""", "; natoeu:sourceKind natoeu:NewsReport", "", "natoeu:sourceKind"),
    "source without a publisher": ("""
ne:s2 a natoeu:Source ; rdfs:label "S2"@en ; dcterms:title "S2" ;
    natoeu:sourceKind natoeu:NewsReport %s .
ne:X prov:wasDerivedFrom ne:s2 .
""", "; dcterms:publisher ne:O", "", "dcterms:publisher"),
    "copy that does not say what it copies": ("""
ne:s2 a natoeu:Source ; rdfs:label "S2"@en ; dcterms:title "S2" ; dcterms:publisher ne:O ;
    natoeu:sourceKind natoeu:CopyOrMirror %s .
ne:X prov:wasDerivedFrom ne:s2 .
""", "; natoeu:copyOf ne:src", "", "natoeu:copyOf"),
    "fact without a source": ("""
ne:pl a natoeu:Place ; rdfs:label "Somewhere"@en %s .
""", "; prov:wasDerivedFrom ne:src", "", "prov:wasDerivedFrom"),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_cross_fact_rule(built: Built, shapes: Graph, rule: str) -> None:
    template, good_value, bad_value, needle = RULES[rule]

    def check(value: str) -> list:
        g = new_graph()
        g += built.ontology
        g.parse(data=PREFIXES + template % value, format="turtle")
        return [v for v in validate(g, shapes).results if v.severity == "Violation"]

    assert check(good_value) == []
    bad = check(bad_value)
    assert bad, f"{rule}: no violation"
    assert any(needle in (v.message + v.path) for v in bad), [v.message for v in bad]
