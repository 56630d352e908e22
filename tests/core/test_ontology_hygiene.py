"""Ontology and data hygiene: the checks fail, they do not warn."""

from __future__ import annotations

import re

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from natoeu_graph.core.namespaces import NATOEU as NS_NATOEU
from natoeu_graph.core.namespaces import ONTOLOGY_IRI, TERMS_BASE
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built

SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
VANN = Namespace("http://purl.org/vocab/vann/")
NE = Namespace("https://w3id.org/natoeu/id/")
NATOEU = Namespace(TERMS_BASE)


def terms(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(TERMS_BASE)}


def test_header_metadata(built: Built) -> None:
    onto = URIRef(ONTOLOGY_IRI)
    for p in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created,
              DCTERMS.modified, DCTERMS.license, OWL.versionInfo, OWL.versionIRI,
              VANN.preferredNamespacePrefix, VANN.preferredNamespaceUri):
        assert built.ontology.value(onto, p) is not None, p


def test_every_term_has_label_definition_and_is_defined_by(built: Built) -> None:
    g = built.ontology
    for t in terms(g):
        labels = [lb for lb in g.objects(t, RDFS.label) if isinstance(lb, Literal)]
        assert len(labels) == 1 and labels[0].language == "en", t
        assert str(labels[0]) == str(labels[0]).strip()
        assert len(list(g.objects(t, SKOS.definition))) == 1, t
        assert (t, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in g, t


def test_label_case_conventions(built: Built) -> None:
    """For this ontology's own terms; reused terms are only declared here (OWL 2 DL)."""
    g = built.ontology

    def own(terms: object) -> list[URIRef]:
        return [t for t in terms if isinstance(t, URIRef) and str(t).startswith(TERMS_BASE)]

    classes = own(g.subjects(RDF.type, OWL.Class))
    properties = own(set(g.subjects(RDF.type, OWL.ObjectProperty))
                     | set(g.subjects(RDF.type, OWL.DatatypeProperty)))
    assert len(classes) > 30 and len(properties) > 50
    for c in classes:
        label = g.value(c, RDFS.label)
        assert label is not None and str(label)[0].isupper(), c
    for p in properties:
        label = g.value(p, RDFS.label)
        assert label is not None and str(label).islower(), p


def test_closed_namespace_matches_ontology(built: Built) -> None:
    declared = {str(t)[len(TERMS_BASE):] for t in terms(built.ontology)}
    assert set(NS_NATOEU.__annotations__) == declared


def test_no_undeclared_term_used(built: Built) -> None:
    declared = terms(built.ontology)
    used = {t for triple in built.asserted for t in triple
            if isinstance(t, URIRef) and str(t).startswith(TERMS_BASE)}
    assert used <= declared, used - declared


def test_instance_iris_readable(built: Built) -> None:
    for s in set(built.asserted.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(str(NE)):
            assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", str(s)[len(str(NE)):]), s


def test_every_factsheet_fact_is_traceable(built: Built, res: Resources) -> None:
    """Each fact the seed states is a claim derived from
    the factsheet, about typed nodes that are themselves sourced."""
    g = built.merged()
    factsheet = NE["source-factsheet-2018"]
    seed_ids = [f"S{i:02d}" for i in range(1, 62) if i not in (22, 23, 28, 32)]  # Seed? = N
    for sid in seed_ids:
        claim = NE[f"factsheet-claim-{sid}"]
        assert (claim, RDF.type, NATOEU.Claim) in g, sid
        assert (claim, PROV.wasDerivedFrom, factsheet) in g, sid
        about = list(g.objects(claim, NATOEU.about))
        assert about, sid
        for node in about:
            assert (node, RDF.type, None) in g, (sid, node)
            if (node, RDF.type, NATOEU.Source) not in g:
                assert (node, PROV.wasDerivedFrom, None) in g, (sid, node)


def test_facts_beyond_the_seed_are_present(built: Built) -> None:
    g = built.merged()
    assert int(g.value(NE["measure-package-2017"], NATOEU.declaredMeasureCount)) == 32  # S22
    assert (NE["tenure-federica-mogherini-head-of-eda"], NATOEU.post,
            NE["post-head-of-eda"]) in g  # S28


def test_fact_nodes_cite_the_factsheet(built: Built) -> None:
    g = built.asserted
    for node in (NE["joint-declaration-2016"], NE["measure-package-2016"],
                 NE["support-sea-guardian-sophia"], NE["cooperation-kfor-eulex"],
                 NE["exercise-cmx17"], NE["hybrid-coe"], NE["nato-eu-capability-group"]):
        assert (node, PROV.wasDerivedFrom, NE["source-factsheet-2018"]) in g, node
