"""Copy the W3C SPARQL 1.1 query evaluation tests into tests/fixtures/w3c-sparql11-query/.

    python tests/refresh_w3c_query.py RDF_TESTS_CHECKOUT [COMMIT]

RDF_TESTS_CHECKOUT is a clone (or a bare mirror: files are read with `git show`) of the
GitHub repository w3c/rdf-tests. Copied: the licence, the top manifest of the SPARQL 1.1 query
tests, and from each of its categories the manifest and the files its query evaluation tests
(mf:QueryEvaluationTest) read: query, data, named graphs, expected result. Syntax tests are
not copied (their files are not needed). The README records the commit copied.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
TOP = "sparql/sparql11/manifest-sparql11-query.ttl"
DEST = Path(__file__).parent / "fixtures" / "w3c-sparql11-query"
BASE = "http://example.invalid/rdf-tests/"


def show(repo: Path, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"],
                          capture_output=True, check=True).stdout


def needed(manifest: Graph, folder: str) -> set[str]:
    """The file names (relative to the category's folder) that its evaluation tests read."""
    files: set[str] = set()
    head = manifest.value(URIRef(BASE + folder + "/manifest.ttl"), MF.entries)
    assert head is not None
    for test in Collection(manifest, head):
        if (test, None, MF.QueryEvaluationTest) not in manifest:
            continue
        action = manifest.value(test, MF.action)
        refs = [manifest.value(action, QT.query), manifest.value(test, MF.result),
                *manifest.objects(action, QT.data), *manifest.objects(action, QT.graphData)]
        for ref in refs:
            if ref is not None:
                files.add(str(ref).removeprefix(BASE + folder + "/"))
    return files


def main() -> None:
    repo = Path(sys.argv[1])
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", commit], capture_output=True,
                         text=True, check=True).stdout.strip()
    if DEST.exists():
        shutil.rmtree(DEST)
    (DEST / "sparql11").mkdir(parents=True)
    (DEST / "LICENSE.md").write_bytes(show(repo, sha, "LICENSE.md"))
    top = show(repo, sha, TOP)
    (DEST / "sparql11" / Path(TOP).name).write_bytes(top)
    g = Graph().parse(data=top, format="turtle", publicID=BASE + TOP)
    head = g.value(URIRef(BASE + TOP), MF.include)
    assert head is not None
    count = 0
    for included in Collection(g, head):
        folder = str(included).removeprefix(BASE + "sparql/sparql11/").removesuffix(
            "/manifest.ttl")
        text = show(repo, sha, f"sparql/sparql11/{folder}/manifest.ttl")
        manifest = Graph().parse(data=text, format="turtle",
                                 publicID=BASE + folder + "/manifest.ttl")
        files = needed(manifest, folder)
        if not files:
            continue  # syntax tests only
        out = DEST / "sparql11" / folder
        out.mkdir()
        (out / "manifest.ttl").write_bytes(text)
        for name in sorted(files):
            (out / name).write_bytes(show(repo, sha, f"sparql/sparql11/{folder}/{name}"))
            count += 1
    (DEST / "README.md").write_text(README.format(sha=sha), encoding="utf-8")
    print(f"copied {count} files of {sha} into {DEST}")


README = """# W3C SPARQL 1.1 query evaluation tests

Copied from the W3C RDF and SPARQL test suites, GitHub repository w3c/rdf-tests, commit
{sha}, by `python tests/refresh_w3c_query.py RDF_TESTS_CHECKOUT`: LICENSE.md (the W3C test
suite licence, under which these files are used), sparql/sparql11/manifest-sparql11-query.ttl
and, from each category it includes that has query evaluation tests (mf:QueryEvaluationTest),
its manifest.ttl and the files those tests read (query, data, named graphs, expected result),
unchanged. The manifests also list syntax tests, whose files are not copied.

tests/server/test_w3c_query.py runs every evaluation test on both query engines through the
server's own query path; docs/sparql-engines.md reports the passes.
"""


if __name__ == "__main__":
    main()
