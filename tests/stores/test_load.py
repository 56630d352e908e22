"""`natoeu load`: the graph built straight into an Oxigraph store answers like the embedded one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from query_cases import LOCAL, case_file, rows

from natoeu_graph.core.errors import UsageError
from natoeu_graph.core.resources import Resources
from natoeu_graph.pipeline.build import Built, cache_key
from natoeu_graph.sparql.queries import bindings, get_query
from natoeu_graph.sparql.results import to_csv
from natoeu_graph.stores import disk
from natoeu_graph.stores.backends import OxigraphBackend, RdflibBackend
from natoeu_graph.stores.load import load_store


@pytest.fixture(scope="module")
def store(res: Resources, tmp_path_factory: pytest.TempPathFactory) -> OxigraphBackend:
    path = tmp_path_factory.mktemp("load") / "store"
    assert load_store(res, path) > 6_000
    backend = OxigraphBackend.at(path, cache_key(res, True))
    assert backend is not None, "the store lacks the key marker"
    return backend


def test_same_triples_as_the_embedded_build(store: OxigraphBackend, built: Built) -> None:
    counts = {str(g): len(list(store.store.quads_for_pattern(None, None, None, g)))
              for g in store.graphs}
    assert list(counts.values()) == [len(built.ontology), len(built.asserted),
                                     len(built.inferred)]


@pytest.mark.parametrize(("name", "params"), LOCAL, ids=[case_file(n, p) for n, p in LOCAL])
def test_every_canned_query_same_as_embedded(res: Resources, built: Built, store: OxigraphBackend,
                                             name: str, params: dict[str, str]) -> None:
    q = get_query(res.queries_dir, name)
    init = bindings(q, params)
    expected = rows(to_csv(RdflibBackend(built.merged()).query(q.text, init)))
    assert rows(to_csv(store.query(q.text, init))) == expected


def test_bad_data_leaves_the_store_untouched(project_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    ok = run_cli("--home", str(project_copy), "load", "--store", f"oxigraph:{path}")
    assert ok.returncode == 0, ok.stderr
    before = run_cli("--home", str(project_copy), "query", "member-counts", "-f", "csv",
                     "--store", f"oxigraph:{path}")
    places = project_copy / "data" / "places.ttl"
    places.write_text(places.read_text(encoding="utf-8") + "\nne:x a natoeu:Place .\n",
                      encoding="utf-8")  # no label, no source
    bad = run_cli("--home", str(project_copy), "load", "--store", f"oxigraph:{path}")
    assert bad.returncode == 1 and "does not conform" in bad.stderr
    assert "nothing was written" in bad.stderr
    places.write_text("ne:broken a", encoding="utf-8")
    broken = run_cli("--home", str(project_copy), "load", "--store", f"oxigraph:{path}")
    assert broken.returncode == 3 and "data/places.ttl" in broken.stderr
    # the last good build is still there; refused (not cleared) for other inputs
    assert before.returncode == 0
    with pytest.raises(UsageError, match="other inputs"):
        OxigraphBackend.at(path, "some other key")
    assert disk.inspect(path).holds is disk.Holds.NATOEU
