"""Apache rules for the static site (mod_rewrite, mod_mime, mod_headers, as .htaccess files).

- ``site_rules``: the site's own folder: the media types of its documents (Apache's defaults
  know neither JSON-LD nor N-Triples), UTF-8, and the pages' Content-Security-Policy as a header
  (the pages also carry it in a <meta> element, for hosts that set no headers).
- ``w3id_rules``: the file to submit to w3id.org (its repository takes one .htaccess per
  folder, here natoeu/): each https://w3id.org/natoeu/... IRI is redirected (303 See Other) to
  the site's file in the format the client's Accept header asks for: HTML for browsers, else
  JSON-LD, N-Triples or Turtle (Turtle when nothing better matches, as `natoeu serve` answers).
  Entities (id/X), the ontology and its terms (ontology, ontology#Term: the fragment never
  reaches the server), the dataset (its VoID/DCAT description), the release's dumps and the
  JSON-LD context.
"""

from __future__ import annotations

# Accept header tests, in order: the first that matches picks the file
_NEGOTIATED = (
    ("html", r"text/html|application/xhtml\+xml"),
    ("jsonld", r"application/ld\+json"),
    ("nt", r"application/n-triples"),
    ("ttl", r"text/turtle"),
)


def site_rules(csp: str) -> bytes:
    return f"""# natoeu site: served as static files (Apache; other hosts: docs/publishing.md)
AddDefaultCharset utf-8
AddType text/turtle;charset=utf-8 .ttl
AddType application/n-triples;charset=utf-8 .nt
AddType application/ld+json .jsonld
AddType application/n-quads .nq
AddType application/trig .trig
AddType application/wasm .wasm
AddType text/javascript .js
DirectoryIndex index.html
<IfModule mod_headers.c>
  <FilesMatch "\\.html$">
    Header set Content-Security-Policy "{csp}"
    Header set Referrer-Policy "no-referrer"
  </FilesMatch>
  Header set Access-Control-Allow-Origin "*"
</IfModule>
""".encode()


def _negotiate(pattern: str, target: str, formats: tuple[str, ...]) -> list[str]:
    """Rules sending ``pattern`` (a path under natoeu/, one group) to ``target`` + extension."""
    lines = []
    for fmt, accept in _NEGOTIATED:
        if fmt in formats and fmt != "ttl":
            lines += [f"RewriteCond %{{HTTP_ACCEPT}} {accept}",
                      f"RewriteRule {pattern} {target}.{fmt} [R=303,L]"]
    lines.append(f"RewriteRule {pattern} {target}.ttl [R=303,L]")
    return lines


def w3id_rules(base_url: str, version: str) -> bytes:
    """The w3id.org/natoeu/.htaccess for a site published at ``base_url``."""
    base = base_url.rstrip("/")
    docs = ("html", "jsonld", "nt", "ttl")
    lines = [
        "# https://w3id.org/natoeu/ -> the natoeu-graph static site (written by natoeu site)",
        f"# site: {base}/  release: {version}",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        "",
        "# entities: https://w3id.org/natoeu/id/X",
        *_negotiate(r"^id/([A-Za-z0-9._-]+)$", f"{base}/id/$1", docs),
        "",
        "# the ontology (its terms are ontology#Term) and its version IRIs",
        *_negotiate(r"^ontology(/[0-9][A-Za-z0-9.+-]*)?$", f"{base}/ontology", docs),
        "",
        "# the dataset: its VoID and DCAT description; the home page for browsers",
        "RewriteCond %{HTTP_ACCEPT} text/html|application/xhtml\\+xml",
        f"RewriteRule ^(dataset)?$ {base}/index.html [R=303,L]",
        *_negotiate(r"^dataset$", f"{base}/void", ("jsonld", "nt", "ttl")),
        "",
        "# the release's dumps and the JSON-LD context",
        f"RewriteRule ^release/(.+)$ {base}/release/$1 [R=303,L]",
        f"RewriteRule ^context(\\.jsonld)?$ {base}/natoeu.context.jsonld [R=303,L]",
        "",
    ]
    return "\n".join(lines).encode()
