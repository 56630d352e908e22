"""The server's RDF dataset and the datasets a request may select from it.

The dataset: three named graphs (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_INFERRED) and, as the
default graph, their RDF merge. A request may name a different dataset with the protocol's
``default-graph-uri`` / ``named-graph-uri`` or the query's FROM / FROM NAMED (the protocol wins,
as SPARQL 1.1 Protocol 2.2.4 requires); every IRI named must be one of the three graphs. Any
other IRI is refused (400): a graph is never fetched, so ``FROM <file:...>`` or
``default-graph-uri=http://...`` cannot read a file or reach a host.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from rdflib import Dataset, URIRef

from ..pipeline.build import DATASET_GRAPHS
from .protocol import ProtocolError

OWN_GRAPHS = tuple(str(g) for g in DATASET_GRAPHS)


class Selection(NamedTuple):
    """A dataset made of the server's own graphs: the default graph's parts, the named ones."""

    default: tuple[str, ...]
    named: tuple[str, ...]


def select(default: list[str], named: list[str], where: str) -> Selection:
    """Check every IRI is one of the server's graphs (400 otherwise) and return the selection,
    de-duplicated and in a fixed order (so equal datasets share a cache entry)."""
    foreign = [iri for iri in (*default, *named) if iri not in OWN_GRAPHS]
    if foreign:
        # echo a web IRI (the client's own text) but never a file path or something long
        first = foreign[0]
        shown = f"<{first}>" if first.startswith(("http://", "https://")) and \
            len(first) <= 200 else "an IRI that"
        raise ProtocolError(
            400, "dataset_not_allowed",
            f"{where} may name only this server's graphs ({', '.join(OWN_GRAPHS)}); "
            f"{shown} is not one of them, and no graph is ever fetched")
    return Selection(tuple(g for g in OWN_GRAPHS if g in default),
                     tuple(g for g in OWN_GRAPHS if g in named))


class Datasets:
    """Datasets for selections, built on first use from the full one and kept (a few)."""

    def __init__(self, full: Dataset, keep: int = 8) -> None:
        self.full = full
        self.keep = keep
        self._built: OrderedDict[Selection, Dataset] = OrderedDict()

    def get(self, sel: Selection) -> Dataset:
        ds = self._built.get(sel)
        if ds is None:
            ds = Dataset(default_union=False)
            for prefix, ns in self.full.namespaces():
                ds.bind(prefix, ns, override=True)
            default = ds.default_context
            for name in sel.default:
                default.addN((s, p, o, default)
                             for s, p, o in self.full.graph(URIRef(name)))
            for name in sel.named:
                target = ds.graph(URIRef(name))
                target.addN((s, p, o, target) for s, p, o in self.full.graph(URIRef(name)))
            self._built[sel] = ds
            while len(self._built) > self.keep:
                self._built.popitem(last=False)
        self._built.move_to_end(sel)
        return ds
