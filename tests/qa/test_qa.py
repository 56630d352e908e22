"""`natoeu qa`: the shipped graph passes; one seeded problem of each kind is found and named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import Graph, URIRef

from natoeu_graph.core.namespaces import PREFIXES, new_graph
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.parse import SubjectFiles, parse_files, parse_turtle
from natoeu_graph.qa.report import LEVELS, check_graphs, load_checks

HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
ONTOLOGY = URIRef("https://w3id.org/natoeu/ontology")
SRC = "prov:wasDerivedFrom ne:source-factsheet-2018"


def interval(begin: str, end: str | None = None) -> str:
    end_part = (f' ; time:hasEnd [ a time:Instant ; time:inXSDDate "{end}"^^xsd:date ]'
                if end else "")
    return (f'[ a time:Interval ; time:hasBeginning [ a time:Instant ; '
            f'time:inXSDDate "{begin}"^^xsd:date ]{end_part} ]')


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
            f'{interval("2018-01-01")} ; {SRC} .\n' for o in ("NATO", "EU"))),
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
    "weak_sources_without_note": Seed(
        "ne:cooperation-unexplained", data='ne:cooperation-unexplained a natoeu:Cooperation ; '
        'rdfs:label "Unexplained"@en ; natoeu:confidence natoeu:LowConfidence ; '
        'prov:wasDerivedFrom ne:source-other-report .\nne:source-other-report a natoeu:Source ; '
        'rdfs:label "Other report"@en ; natoeu:sourceKind natoeu:NewsReport ; '
        'dcterms:publisher ne:publisher-y ; foaf:page <https://example.org/other> .\n'),
}


@pytest.fixture(scope="module")
def parsed(res: Resources) -> tuple[Graph, Graph, SubjectFiles]:
    ontology = parse_turtle(res.ontology, "ontology/natoeu.ttl")
    data, origin = parse_files(res.data_files(), res.root)
    return ontology, data, origin


def _copy(g: Graph) -> Graph:
    out = new_graph()
    out.addN((s, p, o, out) for s, p, o in g)
    return out


def test_every_check_has_a_seed_and_a_level(res: Resources) -> None:
    checks = load_checks(res)
    assert {c.name for c in checks} == set(SEEDS)
    assert all(c.level in LEVELS and c.summary and c.description and c.refs for c in checks)
    refs = " ".join(c.refs for c in checks)
    for pitfall in ("P04", "P05", "P06", "P08", "P11", "P13", "P19", "P22", "P24", "P38", "P41"):
        assert pitfall in refs, pitfall


def test_p11_is_info_by_design(res: Resources) -> None:
    (p11,) = [c for c in load_checks(res) if c.name == "missing_domain_range"]
    assert p11.level == "info" and "by design" in p11.description


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seeded_problem_is_found(res: Resources, parsed: tuple[Graph, Graph, SubjectFiles],
                                 name: str) -> None:
    ontology, data, origin = parsed
    before = check_graphs(res, ontology, data, origin, only=[name])
    seed = SEEDS[name]
    onto, dat = _copy(ontology), _copy(data)
    onto.parse(data=HEADER + seed.ontology, format="turtle")
    dat.parse(data=HEADER + seed.data, format="turtle")
    for s, p in seed.remove:
        onto.remove((s, p, None))
    after = check_graphs(res, onto, dat, origin, only=[name])
    new = [f for f in after.findings if f not in before.findings]
    assert new, f"{name}: the seeded problem was not found"
    assert any(seed.expect in f"{f.entity} {f.value} {f.message}" for f in new), new
    level = after.checks[0].level
    assert after.failed("error") == (level == "error")
    assert after.failed("warn") == (level in ("error", "warn"))


def test_shipped_graph_passes_with_a_summary() -> None:
    proc = run_cli("qa")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["check", "level", "count", "refs"]
    for name in SEEDS:
        assert any(line.split()[:1] == [name] for line in lines), name
    assert "findings: 0 error" in proc.stdout
    assert "Traceback" not in proc.stderr


def _seed_copy(root: Path, level: str, res: Resources) -> dict[str, Seed]:
    """Write every add-only seed of ``level`` into a project copy (one data file, the ontology
    appended), plus the licence removal for errors; return the seeds written."""
    levels = {c.name: c.level for c in load_checks(res)}
    chosen = {n: s for n, s in SEEDS.items() if levels[n] == level and not s.remove}
    # two seeds define natoeu:loose; one copy is enough
    ontology = "".join(dict.fromkeys(s.ontology for s in chosen.values()))
    with (root / "ontology" / "natoeu.ttl").open("a", encoding="utf-8") as fh:
        fh.write("\n" + ontology)
    (root / "data" / "zz-qa-seeds.ttl").write_text(
        HEADER + "".join(s.data for s in chosen.values()), encoding="utf-8")
    if level == "error":
        path = root / "ontology" / "natoeu.ttl"
        text = path.read_text(encoding="utf-8")
        licence = "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n"
        assert licence in text
        path.write_text(text.replace(licence, ""), encoding="utf-8")
        chosen["missing_ontology_license"] = SEEDS["missing_ontology_license"]
    return chosen


def test_cli_names_each_seeded_error(project_copy: Path, res: Resources) -> None:
    seeds = _seed_copy(project_copy, "error", res)
    proc = run_cli("--home", str(project_copy), "qa")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "quality checks failed" in proc.stderr and "Traceback" not in proc.stderr
    for name, seed in seeds.items():
        lines = [li for li in proc.stdout.splitlines() if li.startswith(f"error: {name}: ")]
        assert any(seed.expect in li for li in lines), (name, lines)
    # data findings name the data file and the line of the node
    (line,) = [li for li in proc.stdout.splitlines() if li.startswith("error: fact_without_source")]
    text = (project_copy / "data" / "zz-qa-seeds.ttl").read_text(encoding="utf-8").splitlines()
    number = next(i for i, li in enumerate(text, 1) if li.startswith("ne:place-nowhere "))
    assert f"data/zz-qa-seeds.ttl:{number}: ne:place-nowhere" in line
    assert "ontology/natoeu.ttl:" in next(li for li in proc.stdout.splitlines()
                                           if li.startswith("error: missing_label: "))


def test_cli_reports_warnings_without_failing(project_copy: Path, res: Resources) -> None:
    seeds = _seed_copy(project_copy, "warn", res)
    proc = run_cli("--home", str(project_copy), "qa", "--min-level", "warn")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name, seed in seeds.items():
        assert any(li.startswith(f"warn: {name}: ") and seed.expect in li
                   for li in proc.stdout.splitlines()), name
    assert "info: " not in proc.stdout  # --min-level warn hides info findings
    assert run_cli("--home", str(project_copy), "qa", "--fail-on", "warn").returncode == 1


def test_help_has_example() -> None:
    proc = run_cli("qa", "--help")
    assert proc.returncode == 0 and "Example:" in proc.stdout
