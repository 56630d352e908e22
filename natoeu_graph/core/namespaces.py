"""Namespaces: the project's own (closed, so a typo fails) and the standard ones it reuses."""

import rdflib
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

# A literal is kept as written: its lexical form is part of the term (RDF 1.1). rdflib by default
# rewrites it to the canonical form of its value, and exports turned the ontology's
# "2026-11-25T00:00:00Z"^^xsd:dateTime into "...+00:00". Every module that builds graphs imports
# this one first (the parsers, the cache, the Oxigraph bridge).
rdflib.NORMALIZE_LITERALS = False

# The one place the project's IRI bases are spelled out.
ONTOLOGY_IRI = "https://w3id.org/natoeu/ontology"
TERMS_BASE = ONTOLOGY_IRI + "#"
INSTANCES_BASE = "https://w3id.org/natoeu/id/"
GRAPH_BASE = "https://w3id.org/natoeu/graph/"

NE = Namespace(INSTANCES_BASE)
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")

# Named graphs of the dataset (TriG export, cache).
GRAPH_ONTOLOGY = URIRef(GRAPH_BASE + "ontology")
GRAPH_ASSERTED = URIRef(GRAPH_BASE + "asserted")
GRAPH_INFERRED = URIRef(GRAPH_BASE + "inferred")


class NATOEU(DefinedNamespace):
    """Terms of ontology/natoeu.ttl; tests/core/test_ontology_hygiene.py keeps the two equal."""

    _NS = Namespace(TERMS_BASE)
    _fail = True

    Accurate: URIRef
    Arrangement: URIRef
    AssessmentScheme: URIRef
    Body: URIRef
    CapacityBuilding: URIRef
    CentreOfExcellence: URIRef
    CivilianMission: URIRef
    Claim: URIRef
    ConfidenceScheme: URIRef
    Cooperation: URIRef
    CopyOrMirror: URIRef
    CyberIncident: URIRef
    Document: URIRef
    EndStatusScheme: URIRef
    EndUnknown: URIRef
    Event: URIRef
    Exercise: URIRef
    HighConfidence: URIRef
    Imprecise: URIRef
    IncidentResponse: URIRef
    InternationalOrganization: URIRef
    JointBody: URIRef
    JointDeclaration: URIRef
    LowConfidence: URIRef
    Measure: URIRef
    MeasurePackage: URIRef
    MediumConfidence: URIRef
    Meeting: URIRef
    Membership: URIRef
    MilitaryOperation: URIRef
    NewsReport: URIRef
    OfficialText: URIRef
    OfficialWebPage: URIRef
    Ongoing: URIRef
    Operation: URIRef
    OutOfDate: URIRef
    Participation: URIRef
    PartnerCountry: URIRef
    Person: URIRef
    Place: URIRef
    PoliticalConsultation: URIRef
    Post: URIRef
    ProgressReport: URIRef
    ReferenceWork: URIRef
    ResearchPublication: URIRef
    Signature: URIRef
    Source: URIRef
    SourceKindScheme: URIRef
    State: URIRef
    Summit: URIRef
    Support: URIRef
    Tenure: URIRef
    Unverified: URIRef
    about: URIRef
    assessment: URIRef
    beneficiary: URIRef
    commandedBy: URIRef
    conductedBy: URIRef
    confidence: URIRef
    confidenceNote: URIRef
    cooperatesWith: URIRef
    cooperationArea: URIRef
    coordinatedWith: URIRef
    copyOf: URIRef
    country: URIRef
    declaredMeasureCount: URIRef
    documentNumber: URIRef
    during: URIRef
    endStatus: URIRef
    endorsedBy: URIRef
    form: URIRef
    hasTenure: URIRef
    headquarteredAt: URIRef
    holder: URIRef
    hostedBy: URIRef
    implements: URIRef
    inCapacityOf: URIRef
    inMarginsOf: URIRef
    inPackage: URIRef
    invited: URIRef
    lastVerified: URIRef
    measure: URIRef
    operationCommander: URIRef
    ordinal: URIRef
    organisedBy: URIRef
    parallelTo: URIRef
    participant: URIRef
    participationIn: URIRef
    party: URIRef
    place: URIRef
    post: URIRef
    presentedBy: URIRef
    presentedTo: URIRef
    reportsOn: URIRef
    respondsTo: URIRef
    signatory: URIRef
    signature: URIRef
    signedBy: URIRef
    sourceKind: URIRef
    statement: URIRef
    succeededBy: URIRef
    succeeds: URIRef
    supported: URIRef
    supportedBy: URIRef
    supporter: URIRef
    supporterIn: URIRef
    supports: URIRef
    topic: URIRef
    underArrangement: URIRef
    verifiedAgainst: URIRef


PREFIXES: dict[str, str] = {
    "natoeu": TERMS_BASE,
    "ne": INSTANCES_BASE,
    "org": str(ORG),
    "time": str(TIME),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": str(VANN),
    "wd": str(WD),
    "dbr": str(DBR),
}


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound, so exports never show ns1:."""
    g = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g
