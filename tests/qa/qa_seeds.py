"""The seeded problems of `natoeu qa`: one per check, each the smallest Turtle that breaks one
thing only (shared by test_qa.py, which finds each, and test_qa_engines.py, which runs every check
on both engines over all of them at once)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from natoeu_graph.core.namespaces import PREFIXES

HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
ONTOLOGY = URIRef("https://w3id.org/natoeu/ontology")
SRC = "prov:wasDerivedFrom ne:source-factsheet-2018"


def interval(begin: str, end: str | None = None) -> str:
    end_part = (f' ; time:hasEnd [ a time:Instant ; time:inXSDDate "{end}"^^xsd:date ]'
                if end else "")
    return (f'[ a time:Interval ; time:hasBeginning [ a time:Instant ; '
            f'time:inXSDDate "{begin}"^^xsd:date ]{end_part} ]')


def open_interval(begin: str) -> str:
    """An interval without an end that says what its open end means, as the shapes ask."""
    return (f'[ a time:Interval ; time:hasBeginning [ a time:Instant ; time:inXSDDate '
            f'"{begin}"^^xsd:date ] ; natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified '
            f'"{begin}"^^xsd:date ; natoeu:verifiedAgainst ne:source-factsheet-2018 ]')


def term(name: str, kind: str = "owl:Class", label: str | None = None,
         extra: str = "") -> str:
    """A well-formed ontology term block, so a seed breaks one thing only."""
    sup = " rdfs:subClassOf prov:Entity ;" if kind == "owl:Class" else ""
    label = label or name
    return (f'natoeu:{name} a {kind} ;{sup} rdfs:label "{label}"@en ; '
            f'skos:definition "The {label.lower()} seed."@en{extra} .\n')


@dataclass(frozen=True)
class Seed:
    """One problem: Turtle added to the ontology and/or data, (subject, predicate) pairs removed
    from the ontology, and a string that the finding must contain."""

    expect: str
    ontology: str = ""
    data: str = ""
    remove: tuple[tuple[URIRef, URIRef], ...] = ()


DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

SEEDS: dict[str, Seed] = {
    # --- ROBOT report ---
    "missing_label": Seed(
        "natoeu:Unlabelled", ontology="natoeu:Unlabelled a owl:Class ; rdfs:subClassOf "
        'prov:Entity ; skos:definition "No label."@en .\n'),
    "multiple_labels": Seed("natoeu:Body", ontology='natoeu:Body rdfs:label "Organ"@en .\n'),
    "duplicate_label": Seed(
        "natoeu:Organ",
        ontology=term("Organ", label="Body").replace("The body seed.", "An organ.")),
    "missing_definition": Seed(
        "natoeu:Undefined", ontology='natoeu:Undefined a owl:Class ; rdfs:subClassOf prov:Entity ; '
        'rdfs:label "Undefined"@en .\n'),
    "multiple_definitions": Seed(
        "natoeu:Tenure", ontology='natoeu:Tenure skos:definition "A second definition."@en .\n'),
    "duplicate_definition": Seed(
        "natoeu:Copied", ontology='natoeu:Copied a owl:Class ; rdfs:subClassOf prov:Entity ; '
        'rdfs:label "Copied"@en ; skos:definition "The holding of a post by a person over a time '
        'interval."@en .\n'),
    "lowercase_definition": Seed(
        "natoeu:Lower", ontology='natoeu:Lower a owl:Class ; rdfs:subClassOf prov:Entity ; '
        'rdfs:label "Lower"@en ; skos:definition "starts in lower case."@en .\n'),
    "label_whitespace": Seed("ne:FIN", data='ne:FIN skos:altLabel " Suomi"@fi .\n'),
    "label_formatting": Seed("ne:FIN", data='ne:FIN skos:altLabel "Suo\\tmi"@fi .\n'),
    "annotation_whitespace": Seed("ne:FIN", data='ne:FIN rdfs:comment "Trailing space. "@en .\n'),
    "deprecated_boolean_datatype": Seed(
        "natoeu:OldThing", ontology=term("OldThing", label="Old Thing",
                                         extra=' ; owl:deprecated "true"')),
    "deprecated_reference": Seed(
        "ne:retired-user", ontology=term("Retired", extra=" ; owl:deprecated true"),
        data=f'ne:retired-user a natoeu:Retired ; rdfs:label "Uses a retired class"@en ; '
        f'{SRC} .\n'),
    "misused_replaced_by": Seed(
        "natoeu:Tenure",
        ontology="natoeu:Tenure dcterms:isReplacedBy natoeu:Membership .\n"),
    "illegal_use_of_built_in_vocabulary": Seed(
        "owl:Thing", ontology='owl:Thing rdfs:label "Anything"@en .\n'),
    "missing_superclass": Seed(
        "natoeu:Orphan", ontology='natoeu:Orphan a owl:Class ; rdfs:label "Orphan"@en ; '
        'skos:definition "An orphan."@en .\n'),
    "invalid_entity_uri": Seed(
        "bad_name", data=f'<https://w3id.org/natoeu/id/bad_name> a natoeu:Place ; '
        f'rdfs:label "Bad name"@en ; {SRC} .\n'),
    "missing_ontology_title": Seed("natoeu", remove=((ONTOLOGY, URIRef(DCT + "title")),)),
    "missing_ontology_description": Seed(
        "natoeu", remove=((ONTOLOGY, URIRef(DCT + "description")),)),
    "missing_ontology_license": Seed("natoeu", remove=((ONTOLOGY, URIRef(DCT + "license")),)),
    "missing_ontology_version_iri": Seed(
        "no owl:versionIRI", remove=((ONTOLOGY, URIRef(OWL + "versionIRI")),)),
    # --- OOPS! ---
    "no_ontology_declaration": Seed("natoeu", remove=((ONTOLOGY, RDF_TYPE),)),  # P38
    "unconnected_element": Seed(  # P04
        "natoeu:Lonely", ontology='natoeu:Lonely a owl:Class ; rdfs:label "Lonely"@en ; '
        'skos:definition "Alone."@en .\n'),
    "wrong_inverse": Seed(  # P05
        "natoeu:hasMember",
        ontology=term("hasMember", "owl:ObjectProperty", "has member",
                      " ; rdfs:domain natoeu:Membership ; owl:inverseOf natoeu:memberOf")
        + term("memberOf", "owl:ObjectProperty", "member of", " ; rdfs:range natoeu:State")),
    "hierarchy_cycle": Seed(  # P06
        "natoeu:Document", ontology="natoeu:Document rdfs:subClassOf natoeu:JointDeclaration .\n"),
    "missing_domain_range": Seed(  # P11
        "natoeu:loose", ontology=term("loose", "owl:ObjectProperty")),
    "inverse_not_declared": Seed(  # P13
        "natoeu:loose", ontology=term("loose", "owl:ObjectProperty")),
    "multiple_domains_ranges": Seed(  # P19
        "natoeu:holder", ontology="natoeu:holder rdfs:range foaf:Agent .\n"),
    "naming_convention": Seed(  # P22
        "natoeu:Bad_Property", ontology=term("Bad_Property", "owl:ObjectProperty", "Bad Property")),
    "recursive_definition": Seed(  # P24
        "natoeu:Ally", ontology=term(
            "Ally", extra=" ; owl:equivalentClass [ a owl:Restriction ; owl:onProperty "
            "natoeu:party ; owl:someValuesFrom natoeu:Ally ]")),
    # --- domain ---
    "overlapping_memberships": Seed(
        "ne:membership-fin-nato",
        data=f'ne:membership-fin-nato-again a natoeu:Membership ; rdfs:label "Finland in NATO '
        f'again"@en ; org:member ne:FIN ; org:organization ne:NATO ; org:memberDuring '
        f'{interval("2024-01-01")} ; {SRC} .\n'),
    "post_two_holders": Seed(
        "ne:post-nato-secretary-general",
        data=f'ne:tenure-tusk-nato-sg a natoeu:Tenure ; rdfs:label "Tusk as NATO SG"@en ; '
        f'natoeu:post ne:post-nato-secretary-general ; natoeu:holder ne:donald-tusk ; '
        f'natoeu:during {interval("2020-01-01", "2020-12-31")} ; {SRC} .\n'),
    "event_outside_organisation_life": Seed(
        "ne:exercise-too-early",
        data=f'ne:exercise-too-early a natoeu:Exercise ; rdfs:label "Too early"@en ; '
        f'natoeu:organisedBy ne:EU ; natoeu:during {interval("1980-05-01", "1980-05-02")} ; '
        f'{SRC} .\n'),
    "shared_member_without_links": Seed(
        "ne:XYZ",
        data=f'ne:XYZ a natoeu:State ; rdfs:label "Xyzland"@en ; dcterms:identifier "XYZ" ; '
        f'{SRC} .\n' + "".join(
            f'ne:membership-xyz-{o.lower()} a natoeu:Membership ; rdfs:label "Xyzland in {o}"@en ; '
            f'org:member ne:XYZ ; org:organization ne:{o} ; org:memberDuring '
            f'{open_interval("2018-01-01")} ; natoeu:confidence natoeu:HighConfidence ; {SRC} .\n'
            for o in ("NATO", "EU"))),
    "imprecise_term_dates": Seed(
        "ne:tenure-gyear",
        data='ne:tenure-gyear a natoeu:Tenure ; rdfs:label "A term ending in a year"@en ; '
        'natoeu:post ne:post-director-hybrid-coe ; natoeu:holder ne:donald-tusk ; natoeu:during '
        '[ a time:Interval ; time:hasBeginning [ a time:Instant ; time:inXSDDate '
        '"1990-01-01"^^xsd:date ] ; time:hasEnd [ a time:Instant ; time:inXSDgYear '
        f'"1991"^^xsd:gYear ] ] ; {SRC} .\n'),
    "fact_without_source": Seed(
        "ne:place-nowhere", data='ne:place-nowhere a natoeu:Place ; rdfs:label "Nowhere"@en .\n'),
    "uncited_source": Seed(
        "ne:source-never-cited", data='ne:source-never-cited a natoeu:Source ; '
        'rdfs:label "Never cited"@en ; dcterms:title "Never cited" ; '
        'natoeu:sourceKind natoeu:NewsReport ; dcterms:publisher ne:publisher-x ; '
        'foaf:page <https://example.org/never-cited> .\n'),
    # --- sources (the source policy) ---
    "source_excluded_site": Seed(
        "ne:source-excluded", data='ne:source-excluded a natoeu:Source ; rdfs:label "Ex"@en ; '
        'natoeu:sourceKind natoeu:NewsReport ; dcterms:publisher ne:publisher-x ; '
        'foaf:page <https://www.fort-russ.com/2018/07/x> .\nne:FIN prov:wasDerivedFrom '
        'ne:source-excluded .\n'),
    "source_without_address": Seed(
        "ne:source-nowhere", data='ne:source-nowhere a natoeu:Source ; rdfs:label "Nowhere"@en ; '
        'dcterms:title "Nowhere" ; natoeu:sourceKind natoeu:NewsReport ; '
        'dcterms:publisher ne:publisher-x .\nne:SWE prov:wasDerivedFrom ne:source-nowhere .\n'),
    "official_text_without_address": Seed(
        "ne:source-unfindable", data='ne:source-unfindable a natoeu:Source ; '
        'rdfs:label "Unfindable"@en ; dcterms:title "A statement" ; dcterms:publisher ne:NATO ; '
        'dcterms:issued "2020-01-01"^^xsd:date ; natoeu:sourceKind natoeu:OfficialText .\n'
        'ne:NOR prov:wasDerivedFrom ne:source-unfindable .\n'),
    "fact_cites_copy": Seed(
        "ne:source-a-copy", data='ne:source-a-copy a natoeu:Source ; rdfs:label "Copy"@en ; '
        'natoeu:sourceKind natoeu:CopyOrMirror ; natoeu:copyOf ne:source-factsheet-2018 ; '
        'dcterms:publisher ne:publisher-x ; foaf:page <https://example.org/copy> .\n'
        'ne:DNK prov:wasDerivedFrom ne:source-a-copy .\n'),
    "high_confidence_weak_sources": Seed(
        "ne:cooperation-weak", data='ne:cooperation-weak a natoeu:Cooperation ; '
        'rdfs:label "Weakly sourced"@en ; natoeu:confidence natoeu:HighConfidence ; '
        'prov:wasDerivedFrom ne:source-one-report .\nne:source-one-report a natoeu:Source ; '
        'rdfs:label "One report"@en ; natoeu:sourceKind natoeu:NewsReport ; '
        'dcterms:publisher ne:publisher-x ; foaf:page <https://example.org/one> .\n'),
    "fact_sourced_before_it_began": Seed(
        "ne:membership-too-early", data='ne:membership-too-early a natoeu:Membership ; '
        'rdfs:label "Sourced before it began"@en ; org:member ne:UKR ; org:organization ne:EU ; '
        f'org:memberDuring {interval("2031-01-01")} ; {SRC} .\n'),
    # --- made while validating ---
    "shape_violation": Seed(
        "ne:membership-backwards", data='ne:membership-backwards a natoeu:Membership ; '
        'rdfs:label "Ends before it begins"@en ; org:member ne:UKR ; org:organization ne:EU ; '
        f'org:memberDuring {interval("2020-01-01", "2019-01-01")} ; '
        f'natoeu:confidence natoeu:LowConfidence ; natoeu:confidenceNote "A seed."@en ; {SRC} .\n'),
    "unknown_term": Seed(
        "org:memberDurin", data='ne:FIN org:memberDurin ne:NATO .\n'),
    "weak_sources_without_note": Seed(
        "ne:cooperation-unexplained", data='ne:cooperation-unexplained a natoeu:Cooperation ; '
        'rdfs:label "Unexplained"@en ; natoeu:confidence natoeu:LowConfidence ; '
        'prov:wasDerivedFrom ne:source-other-report .\nne:source-other-report a natoeu:Source ; '
        'rdfs:label "Other report"@en ; natoeu:sourceKind natoeu:NewsReport ; '
        'dcterms:publisher ne:publisher-y ; foaf:page <https://example.org/other> .\n'),
}
