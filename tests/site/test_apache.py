"""The w3id.org redirect rules and the site's own .htaccess, in a real Apache: Debian's apache2
(installed by .ci/run), started from a temporary ServerRoot on 127.0.0.1. The site is served at
/site/ and the w3id rules at /natoeu/, as w3id.org would hold them: each IRI and Accept header
is redirected (303) to the right file, which answers 200 with the right media type."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from server_util import free_port

from natoeu_graph.core.namespaces import INSTANCES_BASE
from natoeu_graph.pipeline.build import Built
from natoeu_graph.site.htaccess import w3id_rules
from natoeu_graph.site.write import Written, site_csp

pytest_plugins = ["site_fixtures"]  # the site, its static server, the browser

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
ACCEPT = {  # what clients send -> the file extension and media type they must get
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": ("html", "text/html"),
    "text/turtle": ("ttl", "text/turtle"),
    "application/ld+json": ("jsonld", "application/ld+json"),
    "application/n-triples": ("nt", "application/n-triples"),
    "*/*": ("ttl", "text/turtle"),  # as `natoeu serve`: Turtle unless asked otherwise
}
CONF = """ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
DefaultRuntimeDir "{root}"
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule dir_module {modules}/mod_dir.so
TypesConfig /etc/mime.types
DocumentRoot "{root}/htdocs"
<Directory "{root}/htdocs">
    AllowOverride All
    Options FollowSymLinks
    Require all granted
</Directory>
"""


@pytest.fixture(scope="module")
def apache(site: Written, built: Built) -> Iterator[str]:
    if not Path(APACHE).is_file():
        pytest.skip("Debian's apache2 is not installed (.ci/run installs it)")
    from natoeu_graph.outputs.release import version

    root = Path(tempfile.mkdtemp(prefix="natoeu-apache-"))
    root.chmod(0o755)  # the server's user reads the files
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    shutil.copytree(site.root, root / "htdocs" / "site")
    (root / "htdocs" / "natoeu").mkdir()
    (root / "htdocs" / "natoeu" / ".htaccess").write_bytes(
        w3id_rules(f"{base}/site/", version(built)))
    for folder in (root / "htdocs", root / "htdocs" / "natoeu"):
        folder.chmod(0o755)
    conf = root / "httpd.conf"
    conf.write_text(CONF.format(root=root, port=port, modules=MODULES))
    # -k start returns once the parent listens (it forks the daemon after binding)
    started = subprocess.run([APACHE, "-f", str(conf), "-k", "start"], capture_output=True,
                             text=True, timeout=60, check=False)
    assert started.returncode == 0, started.stderr
    try:
        yield base
    finally:
        subprocess.run([APACHE, "-f", str(conf), "-k", "stop"], capture_output=True,
                       timeout=60, check=False)
        shutil.rmtree(root, ignore_errors=True)


def get(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers={"Accept": accept} if accept else {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def negotiated(apache: str, iri_path: str, accept: str) -> tuple[str, str, bytes]:
    """Follow one w3id redirect: the target, its media type and body (asserting 303, 200)."""
    status, headers, _ = get(f"{apache}/natoeu/{iri_path}", accept)
    assert status == 303, (iri_path, accept, status)
    target = headers["location"]
    status, headers, body = get(target)
    assert status == 200, (target, status)
    return target, headers["content-type"], body


def test_entities(apache: str, site: Written) -> None:
    for accept, (ext, media) in ACCEPT.items():
        target, ctype, body = negotiated(apache, "id/FIN", accept)
        assert target == f"{apache}/site/id/FIN.{ext}"
        assert ctype.split(";")[0] == media
        assert body == (site.root / "id" / f"FIN.{ext}").read_bytes()


def test_every_entity_iri_dereferences(apache: str, site: Written) -> None:
    for path in sorted((site.root / "id").glob("*.ttl")):
        target, ctype, _ = negotiated(apache, f"id/{path.stem}", "text/turtle")
        assert target.endswith(f"/site/id/{path.stem}.ttl") and ctype.startswith("text/turtle")
    assert len(list((site.root / "id").glob("*.ttl"))) == site.entities


def test_the_ontology_its_version_iri_and_terms(apache: str, site: Written,
                                                built: Built) -> None:
    from natoeu_graph.outputs.release import version

    for path in ("ontology", f"ontology/{version(built)}"):
        for accept, (ext, media) in ACCEPT.items():
            target, ctype, body = negotiated(apache, path, accept)
            assert target == f"{apache}/site/ontology.{ext}" and ctype.split(";")[0] == media
            assert body == (site.root / f"ontology.{ext}").read_bytes()


def test_the_dataset(apache: str, site: Written) -> None:
    files = {"html": "index.html", "ttl": "void.ttl", "jsonld": "void.jsonld", "nt": "void.nt"}
    for accept, (ext, media) in ACCEPT.items():
        target, ctype, body = negotiated(apache, "dataset", accept)
        assert target == f"{apache}/site/{files[ext]}" and ctype.split(";")[0] == media
        assert body == (site.root / files[ext]).read_bytes()


def test_dumps_context_and_unknown_iris(apache: str, site: Written, built: Built) -> None:
    from natoeu_graph.outputs.release import version

    v = version(built)
    target, ctype, body = negotiated(apache, f"release/{v}/natoeu.nt", "*/*")
    assert ctype.startswith("application/n-triples")
    assert body == (site.root / "release" / v / "natoeu.nt").read_bytes()
    target, ctype, _ = negotiated(apache, "context", "*/*")
    assert target.endswith("/natoeu.context.jsonld") and ctype == "application/ld+json"
    status, headers, _ = get(f"{apache}/natoeu/id/no-such-entity", "text/turtle")
    assert status == 303 and get(headers["location"])[0] == 404
    assert INSTANCES_BASE.endswith("/natoeu/id/")  # the rules' paths are the IRIs' paths


def test_the_site_folder_sends_types_and_the_policy(apache: str) -> None:
    status, headers, _ = get(f"{apache}/site/id/FIN.html")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == site_csp()
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    status, headers, _ = get(f"{apache}/site/static/oxigraph/web_bg.wasm")
    assert status == 200 and headers["content-type"] == "application/wasm"
    status, headers, _ = get(f"{apache}/site/")
    assert status == 200 and headers["content-type"].startswith("text/html")
