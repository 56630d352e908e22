"""Scale the shipped graph to a target size, in the same model, so that the shapes still hold.

Writes a project tree (ontology/ and queries/ copied from the shipped tree, data/ = the shipped
data plus data/synthetic-*.ttl) that `natoeu --home DIR ...` runs on. The synthetic part is a
series of regions, each with its own organisation, member states (three-letter codes that no
shipped state uses), dated memberships in it, in NATO and in the EU (some ended, some rejoined,
never overlapping), places, operations and missions with time spans, supports and cooperations
between them, exercises with guests from the other side, posts with consecutive tenures, and
joint declarations signed by whoever held each post on the signing day. Every node has one
@en label and cites a source. Entities are emitted in dependency order and the run stops at the
first entity that reaches the target, so every reference points at a node already written.

The target counts the triples that `natoeu` parses: ontology + shipped data + synthetic data.
Output is a function of (target, seed) only: the same arguments give the same bytes.

    python benchmarks/generate.py OUT_DIR --triples 100k [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PREFIXES = """@prefix ne: <https://w3id.org/natoeu/id/> .
@prefix natoeu: <https://w3id.org/natoeu/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

TOPICS = ("sources", "organisations", "states", "places", "memberships", "people",
          "operations", "exercises", "declarations")
CONFIDENCE = ("natoeu:HighConfidence", "natoeu:HighConfidence", "natoeu:MediumConfidence",
              "natoeu:LowConfidence")
FORMS = ("ne:form-information-sharing", "ne:form-logistics", "ne:form-surveillance",
         "ne:form-field-cooperation", "ne:form-best-practice-exchange")
AREAS = ("ne:area-operational-cooperation", "ne:area-hybrid-threats", "ne:area-cyber-defence",
         "ne:area-exercises", "ne:area-capacity-building", "ne:area-military-mobility")
FIRST = ("Ana", "Bram", "Carla", "Dmitar", "Eva", "Filip", "Greta", "Henrik", "Ines", "Jonas",
         "Katja", "Luka", "Marta", "Nils", "Olga", "Pavel", "Rosa", "Stefan", "Tea", "Viktor")
LAST = ("Albers", "Berisha", "Costa", "Dragan", "Eriksen", "Ferrante", "Grabowski", "Horvat",
        "Ivanova", "Jansen", "Kovac", "Lindqvist", "Moreau", "Novak", "Ortega", "Petrov",
        "Quist", "Rossi", "Sauer", "Tamm", "Urban", "Varga", "Weber", "Zeman")
SEAS = ("Sea", "Gulf", "Strait", "Coast", "Basin", "Highlands", "Valley", "Plain")
SYLLABLES = ("ar", "bel", "cor", "dan", "el", "fen", "gor", "hal", "is", "jor", "kal", "lun",
             "mar", "nor", "ost", "pel", "ral", "sor", "tav", "ul", "ven", "wes", "zar")

# A region: its organisation, STATES member states, and what happens between them.
STATES = 8
PLACES = 4
OPERATIONS = 4
EXERCISES = 2
DECLARATIONS = 2
TENURES = 5
SOURCES = 12
START = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2026, 11, 25)  # the shipped graph's "today": no fact starts after it


def parse_size(text: str) -> int:
    """'10k' -> 10_000, '1m' -> 1_000_000, '2500' -> 2500."""
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def base_triples(root: Path = REPO) -> int:
    """Triples in the shipped ontology and data (pyoxigraph parses them in well under 1 s)."""
    import pyoxigraph as ox

    seen: set[object] = set()
    for path in [root / "ontology" / "natoeu.ttl", *sorted((root / "data").glob("*.ttl"))]:
        with path.open("rb") as f:
            # blank nodes are per file, as rdflib reads them; triples are counted once
            seen.update(ox.parse(f, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    return len(seen)


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(d: dt.date) -> str:
    return f'"{d.isoformat()}"^^xsd:date'


class Nested:
    """A blank-node object written inline, with the number of triples inside it."""

    def __init__(self, text: str, triples: int) -> None:
        self.text = text
        self.triples = triples


def _interval(begin: dt.date, end: dt.date | None) -> Nested:
    """An OWL-Time interval as a blank node, as the shipped data writes it: an open one says it
    was ongoing when last verified, against the shipped factsheet."""
    text = (f"[ a time:Interval ;\n        time:hasBeginning [ a time:Instant ; "
            f"time:inXSDDate {_date(begin)} ]")
    if end is None:
        text += (f" ;\n        natoeu:endStatus natoeu:Ongoing ; natoeu:lastVerified "
                 f"{_date(LAST_DAY)} ;\n        natoeu:verifiedAgainst ne:source-factsheet-2018")
        return Nested(text + " ]", 7)
    text += f" ;\n        time:hasEnd [ a time:Instant ; time:inXSDDate {_date(end)} ]"
    return Nested(text + " ]", 7)


Obj = str | list[str] | Nested


class Writer:
    """Turtle text per topic file, with an exact count of the triples written."""

    def __init__(self) -> None:
        self.parts: dict[str, list[str]] = {t: [] for t in TOPICS}
        self.triples = 0

    def node(self, topic: str, subject: str, pairs: list[tuple[str, Obj]]) -> None:
        lines = []
        for pred, obj in pairs:
            if isinstance(obj, list):
                self.triples += len(obj)
                lines.append(f"{pred} {' , '.join(obj)}")
            elif isinstance(obj, Nested):
                self.triples += 1 + obj.triples
                lines.append(f"{pred} {obj.text}")
            else:
                self.triples += 1
                lines.append(f"{pred} {obj}")
        self.parts[topic].append(f"{subject} " + " ;\n    ".join(lines) + " .\n")

    def files(self) -> dict[str, str]:
        head = "# Synthetic data from benchmarks/generate.py: not facts. Do not edit.\n"
        return {t: head + PREFIXES + "\n" + "\n".join(chunks)
                for t, chunks in self.parts.items() if chunks}


def _codes(taken: set[str]) -> Iterator[str]:
    """Three-letter codes (the StateShape pattern) that no shipped state uses, Q.. and X.. first."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for first in "QXJZKWYVHIOUBCDEFGLMNPRSTA":
        for a in letters:
            for b in letters:
                code = first + a + b
                if code not in taken:
                    yield code


def _random_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange(max(1, (hi - lo).days)))


class Stop(Exception):
    """The target size is reached."""


def synthesize(target: int, seed: int = 1, taken: set[str] | None = None) -> Writer:
    """Write regions until ``target`` synthetic triples are reached."""
    rng = random.Random(seed)
    w = Writer()
    codes = _codes(taken or set())

    def emit(topic: str, subject: str, pairs: list[tuple[str, Obj]]) -> None:
        w.node(topic, subject, pairs)
        if w.triples >= target:
            raise Stop

    def name() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    end: dt.date | None  # of the span being written
    try:
        region = 0
        while True:
            region += 1
            r = f"r{region:04d}"
            emit("sources", f"ne:syn-publisher-{r}", [
                ("a", "foaf:Organization"),
                ("rdfs:label", _lit(f"Synthetic regional institute {region}") + "@en")])
            sources = []
            for i in range(SOURCES):
                src = f"ne:syn-source-{r}-{i:02d}"
                issued = _random_date(rng, START, LAST_DAY)
                emit("sources", src, [
                    ("a", "natoeu:Source"),
                    ("rdfs:label",
                     _lit(f"Synthetic bulletin {region}.{i} ({issued.year})") + "@en"),
                    ("dcterms:title", _lit(f"Regional security bulletin {region}.{i}")),
                    ("dcterms:issued", _date(issued)),
                    ("foaf:page", f"<https://example.org/natoeu-synthetic/{r}/{i:02d}.html>"),
                    ("natoeu:sourceKind", "natoeu:ResearchPublication"),
                    ("dcterms:publisher", f"ne:syn-publisher-{r}"),
                    ("natoeu:confidence", rng.choice(CONFIDENCE))])
                sources.append(src)

            def cite(k: int = 1) -> list[str]:
                return rng.sample(sources, k)  # noqa: B023 (used within this region only)

            org = f"ne:syn-org-{r}"
            org_name = f"{name()} Security Organisation"
            org_begin = _random_date(rng, dt.date(1950, 1, 1), dt.date(1989, 12, 31))
            emit("organisations", org, [
                ("a", "natoeu:InternationalOrganization"),
                ("rdfs:label", _lit(org_name) + "@en"),
                ("skos:altLabel", _lit(f"RSO-{region}") + "@en"),
                ("natoeu:during", _interval(org_begin, None)),
                ("natoeu:confidence", rng.choice(CONFIDENCE)),
                ("prov:wasDerivedFrom", cite(2))])

            states = []
            for _ in range(STATES):
                code = next(codes)
                state = f"ne:{code}"
                emit("states", state, [
                    ("a", "natoeu:State"),
                    ("rdfs:label", _lit(f"{name()}ia ({code})") + "@en"),
                    ("dcterms:identifier", _lit(code)),
                    ("natoeu:confidence", "natoeu:HighConfidence"),
                    ("prov:wasDerivedFrom", cite(2))])
                states.append((state, code))

            places = []
            for i in range(PLACES):
                place = f"ne:syn-place-{r}-{i}"
                emit("places", place, [
                    ("a", "natoeu:Place"),
                    ("rdfs:label", _lit(f"{name()} {rng.choice(SEAS)}") + "@en"),
                    ("natoeu:country", rng.choice(states)[0]),
                    ("natoeu:confidence", rng.choice(CONFIDENCE)),
                    ("prov:wasDerivedFrom", cite())])
                places.append(place)

            for state, code in states:
                for target_org, slug, share in ((org, r, 1.0), ("ne:NATO", "nato", 0.5),
                                                ("ne:EU", "eu", 0.4)):
                    if rng.random() >= share:
                        continue
                    lo = max(org_begin, START) if target_org == org else START
                    begin = _random_date(rng, lo, LAST_DAY)
                    spells: list[tuple[dt.date, dt.date | None]] = [(begin, None)]
                    if rng.random() < 0.15 and (LAST_DAY - begin).days > 3000:
                        # left, then rejoined: two spells that never overlap
                        end = begin + dt.timedelta(days=rng.randrange(365, 1500))
                        again = end + dt.timedelta(days=rng.randrange(1, 1000))
                        spells = [(begin, end), (again, None)]
                    for k, (b, e) in enumerate(spells):
                        emit("memberships", f"ne:membership-{code.lower()}-{slug}"
                             + ("" if k == 0 else f"-{k + 1}"), [
                            ("a", "natoeu:Membership"),
                            ("rdfs:label", _lit(f"{code} in {slug.upper()}"
                                                + ("" if k == 0 else f" (spell {k + 1})"))
                             + "@en"),
                            ("org:member", state),
                            ("org:organization", target_org),
                            ("org:memberDuring", _interval(b, e)),
                            ("natoeu:confidence", rng.choice(CONFIDENCE)),
                            ("prov:wasDerivedFrom", cite(rng.randint(1, 2)))])

            # Posts: the organisation's head and one minister per state, each held by a chain
            # of tenures; a handover on day X ends the predecessor on X - 1 (inclusive ends).
            holders: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
            posts = [(f"ne:syn-post-{r}-head", f"Secretary General of {org_name}", org)]
            posts += [(f"ne:syn-post-{code.lower()}-defence", f"Minister of Defence of {code}",
                       state) for state, code in states]
            for p, (post, label, within) in enumerate(posts):
                emit("people", post, [
                    ("a", "natoeu:Post"),
                    ("rdfs:label", _lit(label) + "@en"),
                    ("org:postIn", within),
                    ("natoeu:confidence", "natoeu:HighConfidence"),
                    ("prov:wasDerivedFrom", cite())])
                begin = _random_date(rng, START, dt.date(1998, 1, 1))
                chain: list[tuple[str, dt.date, dt.date | None]] = []
                for t in range(TENURES):
                    nxt = begin + dt.timedelta(days=rng.randrange(700, 2600))
                    end = None if t == TENURES - 1 or nxt > LAST_DAY else nxt - dt.timedelta(1)
                    person = f"ne:syn-person-{r}-{p}-{t}"
                    full = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                    emit("people", person, [
                        ("a", "natoeu:Person"),
                        ("rdfs:label", _lit(full) + "@en"),
                        ("foaf:name", _lit(full)),
                        ("natoeu:confidence", rng.choice(CONFIDENCE)),
                        ("prov:wasDerivedFrom", cite())])
                    emit("people", f"ne:syn-tenure-{r}-{p}-{t}", [
                        ("a", "natoeu:Tenure"),
                        ("rdfs:label", _lit(f"{full} as {label}") + "@en"),
                        ("natoeu:post", post),
                        ("natoeu:holder", person),
                        ("natoeu:during", _interval(begin, end)),
                        ("natoeu:confidence", rng.choice(CONFIDENCE)),
                        ("prov:wasDerivedFrom", cite())])
                    chain.append((person, begin, end))
                    if end is None:
                        break
                    begin = nxt
                holders[post] = chain

            ops: list[tuple[str, dt.date, dt.date | None]] = []
            for i in range(OPERATIONS):
                op = f"ne:syn-operation-{r}-{i}"
                civilian = i % 3 == 2
                begin = _random_date(rng, START, LAST_DAY)
                end = (begin + dt.timedelta(days=rng.randrange(200, 4000))
                       if rng.random() < 0.5 else None)
                end = end if end is None or end <= LAST_DAY else None
                by = rng.choice((org, "ne:NATO", "ne:EU"))
                kind = "Mission" if civilian else "Operation"
                emit("operations", op, [
                    ("a", "natoeu:CivilianMission" if civilian else "natoeu:MilitaryOperation"),
                    ("rdfs:label", _lit(f"{kind} {name()} {region}-{i}") + "@en"),
                    ("natoeu:conductedBy", by),
                    ("natoeu:place", rng.choice(places)),
                    ("natoeu:during", _interval(begin, end)),
                    ("natoeu:confidence", rng.choice(CONFIDENCE)),
                    ("prov:wasDerivedFrom", cite(rng.randint(1, 3)))])
                ops.append((op, begin, end))

            for i, ((op_a, ab, ae), (op_b, bb, be)) in enumerate(zip(ops[::2], ops[1::2],
                                                                     strict=False)):
                begin = max(ab, bb)
                ends = [e for e in (ae, be) if e is not None]
                end = min(ends) if ends else None
                if end is not None and end < begin:
                    end = begin  # spans that do not meet still had a one-day contact
                support = i % 2 == 0
                pairs: list[tuple[str, Obj]] = [
                    ("a", "natoeu:Support" if support else "natoeu:Cooperation"),
                    ("rdfs:label", _lit(f"{'Support' if support else 'Cooperation'} "
                                        f"{region}-{i}") + "@en")]
                if support:
                    pairs += [("natoeu:supporter", op_a), ("natoeu:supported", op_b)]
                pairs += [
                    ("natoeu:party", [op_a, op_b]),
                    ("natoeu:form", rng.sample(FORMS, 2)),
                    ("natoeu:place", rng.choice(places)),
                    ("natoeu:cooperationArea", rng.choice(AREAS)),
                    ("natoeu:during", _interval(begin, end)),
                    ("natoeu:confidence", rng.choice(CONFIDENCE)),
                    ("prov:wasDerivedFrom", cite(2))]
                emit("operations", f"ne:syn-{'support' if support else 'cooperation'}-{r}-{i}",
                     pairs)

            for i in range(EXERCISES):
                host, guest = rng.choice((("ne:NATO", "ne:EU"), ("ne:EU", "ne:NATO")))
                begin = _random_date(rng, dt.date(2000, 1, 1), LAST_DAY)
                emit("exercises", f"ne:syn-exercise-{r}-{i}", [
                    ("a", "natoeu:Exercise"),
                    ("rdfs:label", _lit(f"Exercise {name().upper()} {begin.year}") + "@en"),
                    ("natoeu:organisedBy", [host, org]),
                    ("natoeu:participant" if rng.random() < 0.7 else "natoeu:invited", guest),
                    ("natoeu:place", rng.choice(places)),
                    ("natoeu:during", _interval(begin, begin + dt.timedelta(
                        days=rng.randrange(0, 12)))),
                    ("natoeu:confidence", rng.choice(CONFIDENCE)),
                    ("prov:wasDerivedFrom", cite())])

            for i in range(DECLARATIONS):
                day = _random_date(rng, dt.date(1999, 1, 1), LAST_DAY)
                decl = f"ne:syn-declaration-{r}-{i}"
                signers = []
                for post, chain in holders.items():
                    for person, b, e in chain:
                        if b <= day and (e is None or e >= day):
                            signers.append((post, person))
                signers = signers[:1] + rng.sample(signers[1:], min(2, len(signers) - 1))
                sigs = [f"ne:syn-signature-{r}-{i}-{k}" for k in range(len(signers))]
                emit("declarations", decl, [
                    ("a", "natoeu:JointDeclaration"),
                    ("rdfs:label", _lit(f"{org_name} declaration of {day.isoformat()}") + "@en"),
                    ("dcterms:title", _lit(f"Joint declaration {region}-{i}") + "@en"),
                    ("dcterms:date", _date(day)),
                    ("natoeu:place", rng.choice(places)),
                    *([("natoeu:signature", sigs)] if sigs else []),
                    ("natoeu:confidence", rng.choice(CONFIDENCE)),
                    ("prov:wasDerivedFrom", cite())])
                for sig, (post, person) in zip(sigs, signers, strict=True):
                    emit("declarations", sig, [
                        ("a", "natoeu:Signature"),
                        ("rdfs:label", _lit(f"Signature of {decl[3:]} by {person[3:]}") + "@en"),
                        ("natoeu:signatory", person),
                        ("natoeu:inCapacityOf", post),
                        ("natoeu:confidence", "natoeu:HighConfidence"),
                        ("prov:wasDerivedFrom", cite())])
    except Stop:
        pass
    return w


def generate(out: Path, triples: int, seed: int = 1, root: Path = REPO) -> int:
    """Write the project tree for a graph of about ``triples`` triples; return the exact count.

    The tree is replaced whole. Below the shipped graph's size only the shipped graph is written.
    """
    base = base_triples(root)
    states = (root / "data" / "states.ttl").read_text(encoding="utf-8")
    taken = set(re.findall(r"^ne:([A-Z]{3}) a ", states, flags=re.M))
    w = synthesize(triples - base, seed, taken) if triples > base else Writer()
    if out.exists():
        shutil.rmtree(out)
    for sub in ("ontology", "queries"):
        shutil.copytree(root / sub, out / sub)
    shutil.copytree(root / "data", out / "data")
    for topic, text in w.files().items():
        (out / "data" / f"synthetic-{topic}.ttl").write_text(text, encoding="utf-8")
    return base + w.triples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="directory to write (replaced whole)")
    ap.add_argument("--triples", default="10k", help="target size, e.g. 10k, 100k, 1m")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    n = generate(args.out, parse_size(args.triples), args.seed)
    print(f"{args.out}: {n} triples (ontology + data)")


if __name__ == "__main__":
    main()
