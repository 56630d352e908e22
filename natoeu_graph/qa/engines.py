"""Where `natoeu check` and `natoeu qa` run their queries: Oxigraph where its answers are
proven equal to rdflib's, rdflib for the rest.

rdflib is the reference: `--no-cache` runs everything on it. Oxigraph answers the project's own
check and QA queries 10-100x faster. A check or QA query is listed below only if
tests/qa/test_qa_engines.py finds its rows equal on both engines over the shipped graph and over
graphs seeded with the problems the checks look for; that test also fails when a query left out
has become equal, so each list is exactly the proven set. The canned queries' list is
stores.proven's (proven by tests/server/test_engines.py).

Every text that could hold SERVICE or FROM (sparql.screen) passes the safety parse (rdflib's
parser: SERVICE and FROM refused) before Oxigraph runs it, in the deep-stack thread of
stores.oxrun; which texts passed is remembered by their hash, so an unchanged query is not
parsed by rdflib again. Only the project's own query files come here, so a text longer than
that thread allows (the composed factsheet-changes) runs on a thread whose stack is sized to it
(sparql.screen.fits_own); one longer still runs on rdflib.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rdflib import Graph, Variable
from rdflib.term import Node

from ..core.errors import UsageError
from ..core.oxterms import to_oxigraph, to_rdflib
from ..core.resources import cache_dir
from ..pipeline import memo
from ..sparql.queries import one_line, prepare, run
from ..sparql.screen import clear, fits, fits_own, stack_for
from ..stores import oxrun
from ..stores.backends import substitute

# queries/checks/*.rq and queries/qa/*.rq (by name) that Oxigraph answers as rdflib does
CHECKS_EQUAL = frozenset({
    "dangling-references", "duplicate-sources", "entailments", "interop-contract",
    "link-hygiene",
})
QA_EQUAL = frozenset({
    "annotation_whitespace", "deprecated_boolean_datatype", "deprecated_reference",
    "duplicate_definition", "duplicate_label", "event_outside_organisation_life",
    "fact_cites_copy", "fact_sourced_before_it_began", "fact_without_source",
    "high_confidence_weak_sources", "illegal_use_of_built_in_vocabulary",
    "imprecise_term_dates", "inverse_not_declared", "label_formatting", "label_whitespace",
    "lowercase_definition", "missing_definition", "missing_domain_range", "missing_label",
    "missing_ontology_description", "missing_ontology_license", "missing_ontology_title",
    "missing_ontology_version_iri", "missing_superclass", "misused_replaced_by",
    "multiple_definitions", "multiple_domains_ranges", "multiple_labels", "naming_convention",
    "no_ontology_declaration", "official_text_without_address", "overlapping_memberships",
    "post_two_holders", "recursive_definition", "shared_member_without_links",
    "source_excluded_site", "source_without_address", "uncited_source", "unconnected_element",
    "weak_sources_without_note", "wrong_inverse",
})

Triple = tuple[Node, Node, Node]
Row = dict[Variable, Node]


class Answer:
    """A query's answer on either engine: its form, and its rows for a SELECT."""

    def __init__(self, form: str, variables: list[Variable], rows: list[Row]) -> None:
        self.type = form
        self.vars = variables
        self.bindings = rows


class Engines:
    """One graph (named parts, queried as their union) on both engines, each made on first use.

    ``oxigraph`` False: every query on rdflib (the reference path).
    """

    def __init__(self, parts: Mapping[str, Iterable[Triple]], graph: Callable[[], Graph],
                 oxigraph: bool = True) -> None:
        self._parts = parts
        self._graph_factory = graph
        self._graph: Graph | None = None
        self._store: Any = None
        self._names: list[Any] = []
        self.oxigraph = oxigraph
        self._passed: dict[str, set[str]] = {}  # memo name -> hashes of texts that passed

    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = self._graph_factory()
        return self._graph

    def _oxigraph(self) -> Any:
        """The parts' triples, each once, in the default graph of an in-memory store, term by
        term (blank nodes keep rdflib's labels, so rows name the nodes a locator finds)."""
        if self._store is None:
            import pyoxigraph as ox

            converted: dict[Node, Any] = {}

            def term(t: Node) -> Any:
                found = converted.get(t)
                if found is None:
                    found = converted[t] = to_oxigraph(t)
                return found

            triples: dict[Triple, None] = {}
            for part in self._parts.values():
                triples.update(dict.fromkeys((s, p, o) for s, p, o in part))
            store = ox.Store()
            store.bulk_extend(ox.Quad(term(s), term(p), term(o)) for s, p, o in triples)
            self._store = store
        return self._store

    def _once(self, name: str, text: str, check: Callable[[], None]) -> None:
        """``check()`` (it raises on a bad ``text``), unless it passed for this very text
        before: the texts that passed are remembered by their hash in the memo ``name``."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        key = memo.key(memo.code_digest(), memo.versions("rdflib"))
        passed = self._passed.get(name)
        if passed is None:
            hit = memo.load(cache_dir(), name, key)
            passed = self._passed[name] = {str(h) for h in hit} if isinstance(hit, list) else set()
        if digest in passed:
            return
        check()
        passed.add(digest)
        memo.save(cache_dir(), name, key, sorted(passed))

    def _check_safe(self, text: str, source: str) -> None:
        """rdflib's safety parse, once per query text (remembered across runs)."""

        def check() -> None:
            if not clear(text):
                prepare(text, source)  # raises UsageError on a refused or malformed query

        self._once("safe-queries", text, check)

    def parses(self, text: str, source: str) -> None:
        """rdflib's parser accepts ``text`` (else UsageError); with the cache, the texts it
        accepted are remembered by their hash, so an unchanged one is not parsed again."""
        if not self.oxigraph:  # the reference path: parse every time
            prepare(text, source)
            return
        self._once("parsed-queries", text, lambda: prepare(text, source))

    def query(self, text: str, source: str, equal: bool,
              initial: Mapping[str, Node] | None = None) -> Any:
        """The answer (rdflib's Result, or an Answer with the same attributes)."""
        # the project's own query files only: long ones on a stack sized to them
        if not (self.oxigraph and equal and fits_own(text)):
            return run(self.graph(), text, dict(initial or {}), source=source)
        self._check_safe(text, source)
        text = substitute(text, initial)  # parameters as terms, as for every Oxigraph query
        try:
            answer = oxrun.evaluate(self._oxigraph(), text, None, None,
                                    stack=None if fits(text) else stack_for(text))
        except (SyntaxError, ValueError, OSError) as exc:
            raise UsageError(f"{source}: {one_line(exc)}",
                             hint="Check the query text at that position.") from None
        if answer.kind == "SELECT":
            variables = [Variable(n) for n in answer.variables]
            rows = [{v: to_rdflib(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in answer.rows]
            return Answer("SELECT", variables, rows)
        return Answer(answer.kind if answer.kind == "ASK" else "CONSTRUCT", [], [])
