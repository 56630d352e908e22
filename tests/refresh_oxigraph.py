"""Vendor Oxigraph's WebAssembly build from the npm registry, pinned and hash-checked, with no
Node: python tests/refresh_oxigraph.py [--version X.Y.Z | --check]

The static site (`natoeu site`) runs SPARQL in the reader's browser with the npm package
``oxigraph`` (the engine `natoeu serve` and the CLI already run through pyoxigraph). As for
YASGUI (tests/refresh_yasgui.py, whose download and hash helpers this reuses), the pin and the
hashes live in a lock file, natoeu_graph/site/static/oxigraph/oxigraph.lock.json:

- no argument: download the pinned tarball again, check it against the recorded integrity and
  the registry's, and rewrite the vendored files (they must come out identical);
- ``--version X.Y.Z``: move the pin to another published version and vendor it;
- ``--check``: offline, check the vendored files against the lock file's hashes.

Only the browser build is vendored: ``web.js`` (an ES module) and ``web_bg.wasm``. The npm
tarball carries no licence file (its package.json says "MIT OR Apache-2.0"), so the two licence
texts, LICENSE-MIT and LICENSE-APACHE, were copied from the Oxigraph repository
(https://github.com/oxigraph/oxigraph, files at its root) and are checked here, not downloaded.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import urllib.error
from pathlib import Path

from refresh_yasgui import REGISTRY, RefreshError, _get, _sha256, _sri_sha512, _write

PACKAGE = "oxigraph"
LICENSE = "MIT OR Apache-2.0"
TARGET = (Path(__file__).resolve().parent.parent / "natoeu_graph" / "site" / "static"
          / "oxigraph")
LOCK = TARGET / "oxigraph.lock.json"
FILES = {"package/web.js": "web.js", "package/web_bg.wasm": "web_bg.wasm"}
LICENCE_FILES = ("LICENSE-MIT", "LICENSE-APACHE")  # from the repository, not the tarball


def registry_dist(version: str) -> dict[str, str]:
    try:
        meta = json.loads(_get(REGISTRY + PACKAGE + "/" + version))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise RefreshError(f"the registry has no {PACKAGE}@{version}") from None
        raise
    if meta.get("name") != PACKAGE or meta.get("version") != version:
        raise RefreshError(f"the registry has no {PACKAGE}@{version}")
    dist = meta["dist"]
    if not str(dist.get("integrity", "")).startswith("sha512-"):
        raise RefreshError(f"{PACKAGE}@{version} has no sha512 integrity in the registry")
    return {"tarball": dist["tarball"], "integrity": dist["integrity"],
            "license": str(meta.get("license", ""))}


def extract(tgz: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.name in FILES and member.isreg():
                f = tar.extractfile(member)
                assert f is not None
                out[FILES[member.name]] = f.read()
    missing = sorted(set(FILES.values()) - set(out))
    if missing:
        raise RefreshError(f"the tarball lacks {', '.join(missing)}")
    return out


def readme(lock: dict[str, object]) -> str:
    return f"""# Oxigraph (WebAssembly), vendored

The static site written by `natoeu site` runs SPARQL in the reader's browser with this build of
Oxigraph, served from the site itself: no CDN, no network. Do not edit these files;
`python tests/refresh_oxigraph.py` rewrites them.

- package: `{lock['package']}` version {lock['version']} (npm registry)
- source: {lock['tarball']}
- integrity (sha512 of the tarball, as the registry publishes it): `{lock['integrity']}`
- licence: {lock['license']}, at your option (LICENSE-MIT, LICENSE-APACHE: the npm tarball has
  no licence file; these are the texts at the root of https://github.com/oxigraph/oxigraph)
- files: web.js (ES module) and web_bg.wasm, the browser build; sha256 of each in
  oxigraph.lock.json
"""


def check() -> list[str]:
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    problems = []
    for name, digest in lock["files"].items():
        path = TARGET / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path.read_bytes()) != digest:
            problems.append(f"{name}: sha256 differs from oxigraph.lock.json")
    return problems


def refresh(version: str | None) -> dict[str, object]:
    old = json.loads(LOCK.read_text(encoding="utf-8")) if LOCK.is_file() else None
    pinned = version or (old["version"] if old else None)
    if pinned is None:
        raise RefreshError("no pin yet: give --version X.Y.Z")
    dist = registry_dist(pinned)
    if old and old["version"] == pinned and old["integrity"] != dist["integrity"]:
        raise RefreshError(f"the registry's integrity for {pinned} is not the recorded one:\n"
                           f"  recorded {old['integrity']}\n  registry {dist['integrity']}")
    tgz = _get(dist["tarball"])
    if _sri_sha512(tgz) != dist["integrity"]:
        raise RefreshError("the downloaded tarball does not match its integrity")
    if dist["license"] != LICENSE:
        raise RefreshError(f"licence changed to {dist['license']!r}: review before vendoring")
    files = extract(tgz)
    for name in LICENCE_FILES:
        if not (TARGET / name).is_file():
            raise RefreshError(f"{TARGET / name} is missing: copy it from the Oxigraph "
                               "repository first")
        files[name] = (TARGET / name).read_bytes()
    lock: dict[str, object] = {
        "package": PACKAGE, "version": pinned, "license": dist["license"],
        "tarball": dist["tarball"], "integrity": dist["integrity"],
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
    }
    if old and old["version"] == pinned and old["files"] != lock["files"]:
        raise RefreshError("the same version extracted to different files: check FILES")
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        if name not in LICENCE_FILES:
            _write(TARGET / name, data)
    _write(TARGET / "README.md", readme(lock).encode())
    _write(LOCK, (json.dumps(lock, indent=2) + "\n").encode())
    return lock


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--version", help="move the pin to this published version")
    group.add_argument("--check", action="store_true", help="check the vendored files, offline")
    args = ap.parse_args()
    try:
        if args.check:
            problems = check()
            for p in problems:
                print(p, file=sys.stderr)
            print("ok" if not problems else f"{len(problems)} problem(s)")
            return 1 if problems else 0
        lock = refresh(args.version)
    except (RefreshError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(f"vendored {lock['package']}@{lock['version']} {lock['integrity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
