"""Build the graph straight into an Oxigraph store, for graphs the embedded path cannot hold.

The embedded path parses with rdflib (about 5k triples/s with natoeu's checks), reasons with
reasonable (more than 14 GiB at 1M triples) and caches the graph. This path parses with Oxigraph,
reasons with the compiled rules inside Oxigraph (pipeline.reason.rules) and keeps the result in
the store itself. Validation stays pyshacl, the reference, on an rdflib copy of ontology + data made
by Oxigraph's parser (faster than rdflib's own; not from the store, which keeps derived integer
types as xsd:integer). natoeu's own term checks (load.py) are not run
here: Oxigraph's parsers are strict about IRIs and literals in their own way. The store is
filled in memory; only when everything passed is it copied to PATH, key marker last, so a failed
build never touches PATH and an interrupted copy is never taken for a built store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import OWL, Graph

from ..core.errors import InputError, NotConformingError, UsageError
from ..core.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, new_graph
from ..core.oxterms import to_oxigraph
from ..core.resources import Resources
from ..pipeline.build import cache_key
from ..pipeline.parse import parse_oxigraph, parse_turtle
from . import disk

Progress = Callable[[str], None]


def _load(store: Any, path: Path, graph: Any, root: Path) -> None:
    import pyoxigraph as ox

    try:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        msg = getattr(exc, "msg", None) or str(exc)
        raise InputError(str(path.relative_to(root)), line, f"Turtle syntax error: {msg}",
                         hint="Fix the file at that line.") from None


def _rdflib_copy(files: list[Path]) -> Graph:
    """Ontology + data for pyshacl, parsed by Oxigraph's parser (not its store, which keeps
    xsd:nonNegativeInteger and other derived integer types as xsd:integer)."""
    g = new_graph()
    for f in files:
        parse_oxigraph(f, f.read_bytes(), into=g)
    return g


def load_store(res: Resources, path: Path, *, validated: bool = True,
                progress: Progress | None = None) -> int:
    """Parse, validate and reason into the Oxigraph store at ``path``; return its triples.

    The store holds the ontology, asserted and inferred named graphs and the same key marker
    as OxigraphBackend, so ``natoeu query --store oxigraph:PATH`` answers from it at once.
    """
    import pyoxigraph as ox

    from ..pipeline.reason.rules import close_tbox, infer_in_store

    say = progress or (lambda _msg: None)
    key = cache_key(res, validated)
    disk.refuse(path, disk.inspect(path))  # before the work, not after it
    disk.writable(path)
    names = [ox.NamedNode(str(g)) for g in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED)]
    work = ox.Store()
    _load(work, res.ontology, names[0], res.root)
    for f in res.data_files():
        _load(work, f, names[1], res.root)
    say(f"parsed {len(work)} triples")
    ontology = parse_turtle(res.ontology, str(res.ontology.relative_to(res.root)))
    if validated:
        from ..pipeline.validate import validate

        shapes = parse_turtle(res.shapes, str(res.shapes.relative_to(res.root)))
        report = validate(_rdflib_copy([res.ontology, *res.data_files()]), shapes)
        if not report.conforms:
            raise NotConformingError(
                f"the graph does not conform to the shapes ({len(report.errors)} violation(s))",
                report.text(), hint="Fix the data (see the report); nothing was written.")
        say("validated")
    # the rules run over ontology + data in the default graph of a scratch store, without the
    # owl:sameAs links (as on the embedded path: they would copy every fact onto Wikidata IRIs)
    scratch = ox.Store()
    scratch.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                        for name in names[:2]
                        for q in work.quads_for_pattern(None, None, None, name)
                        if q.predicate.value != str(OWL.sameAs))
    found = infer_in_store(scratch, close_tbox(ontology), ontology)
    if found is None:
        raise UsageError("the ontology uses OWL that the store's rule engine does not compile",
                         hint="Use the embedded path (natoeu query without --store) instead.")
    del scratch
    work.bulk_extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), names[2])
                     for s, p, o in found)
    say(f"inferred {len(found)} triples")
    disk.replace(path, lambda folder: _write(work, folder, key))
    say("switched in")
    return len(work)


def _write(work: Any, folder: Path, key: str) -> None:
    """Copy ``work`` to a new store in ``folder``, key marker last.

    Its own function so that no frame kept by the validator's reference cycles holds the open
    store (RocksDB allows one writer; the store is closed when its last reference goes).
    """
    import pyoxigraph as ox

    target = ox.Store(str(folder))
    target.bulk_extend(work.quads_for_pattern(None, None, None, None))
    target.add(disk.marker(key))
    target.flush()
