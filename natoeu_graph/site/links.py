"""The static site's file names: the server's URL space written as files.

Pages are rendered with the server's paths (/id/X, /ontology#Term, /queries/NAME?date=...,
/static/...); here each becomes the file that holds it (id/X.html, ontology.html#Term,
queries/NAME.html?date=..., static/...), written relative to the page that links to it, so the
site works under any base address and from disk. ``?format=F`` picks a document's other file
(id/X.ttl).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

DOC_FORMATS = ("html", "ttl", "jsonld", "nt")
_PAGES = ("/id/", "/ontology", "/classes", "/queries")  # pages even with a dot in their name


def file_of(path: str) -> str:
    """The site file (from the root, with the path's query and fragment) for a server path."""
    rest, hashed, fragment = path.partition("#")
    base, _, query = rest.partition("?")
    params = parse_qsl(query, keep_blank_values=True)
    fmt = next((v for k, v in params if k == "format" and v in DOC_FORMATS), None)
    if fmt is not None:
        params = [(k, v) for k, v in params if k != "format"]
    if base in ("", "/"):
        name = "index.html"
    elif base.startswith("/static/") or (
            not base.startswith(_PAGES) and "." in base.rsplit("/", 1)[-1]):
        name = base[1:]  # a file already: a script, a dump, void.ttl
    else:
        name = f"{base.strip('/')}.{fmt or 'html'}"
    return name + (f"?{urlencode(params)}" if params else "") + (f"#{fragment}" if hashed
                                                                 else "")


def relative(page: str) -> Callable[[str], str]:
    """How the page at server path ``page`` writes a server path as an href."""
    here = posixpath.dirname(file_of(page).partition("?")[0].partition("#")[0]) or "."

    def url(path: str) -> str:
        if not path.startswith("/"):
            return path  # already relative, or a fragment
        target = file_of(path)
        name, sep, tail = target.partition("?") if "?" in target else target.partition("#")
        return posixpath.relpath(name, here) + sep + tail

    return url
