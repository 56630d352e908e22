"""A release: its version, its dumps in every format, the JSON-LD context and the dataset
description, as ``natoeu release`` and ``natoeu site`` write them.

The version lives in one place, the ontology header (``owl:versionInfo``, with
``owl:versionIRI`` = the ontology IRI + "/" + the version); a release checks the two agree and,
given the previous release's version, records ``prov:wasRevisionOf`` it in the description.
"""

from __future__ import annotations

from typing import Any

from rdflib import OWL, URIRef

from ..core.errors import UsageError
from ..core.namespaces import ONTOLOGY_IRI
from ..pipeline.build import Built
from .describe import MEDIA_TYPES, describe
from .export import serialize

CONTEXT_FILE = "natoeu.context.jsonld"
_FORMATS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "trig": "trig", "nq": "nquads"}
_HOW = ("Set both in the ontology header (ontology/natoeu.ttl): owl:versionInfo \"X.Y.Z\" and "
        f"owl:versionIRI <{ONTOLOGY_IRI}/X.Y.Z>.")


def version(built: Built) -> str:
    """The release version the ontology states; its owl:versionIRI must carry the same."""
    onto = URIRef(ONTOLOGY_IRI)
    infos = sorted(str(v) for v in built.ontology.objects(onto, OWL.versionInfo))
    iris = sorted(str(v) for v in built.ontology.objects(onto, OWL.versionIRI))
    if len(infos) != 1:
        raise UsageError(f"the ontology states {len(infos)} owl:versionInfo values, not one",
                         hint=_HOW)
    expected = f"{ONTOLOGY_IRI}/{infos[0]}"
    if iris != [expected]:
        raise UsageError(f"owl:versionIRI {', '.join(iris) or '(none)'} does not match "
                         f"owl:versionInfo {infos[0]!r}: expected <{expected}>", hint=_HOW)
    return infos[0]


def check_previous(current: str, previous: str | None) -> None:
    if previous is not None and previous == current:
        raise UsageError(f"the previous release has the same version, {current}",
                         hint="A release revises an older one: raise the version first. "
                         + _HOW)


def release_files(built: Built, context: dict[str, Any], context_bytes: bytes,
                  previous: str | None = None, remember: bool = False) -> dict[str, bytes]:
    """File name -> bytes of the release: the five dumps, the context and void.ttl."""
    check_previous(version(built), previous)
    files: dict[str, bytes] = {}
    for filename in MEDIA_TYPES:
        fmt = _FORMATS[filename.rsplit(".", 1)[1]]
        files[filename] = serialize(built, fmt, inferred="inferred" in filename,
                                    context=context, remember=remember)
    sizes = {name: len(data) for name, data in files.items()}
    files[CONTEXT_FILE] = context_bytes
    files["void.ttl"] = describe(built, sizes, previous).serialize(format="turtle") \
        .encode("utf-8")
    return files
