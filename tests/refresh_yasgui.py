"""Vendor YASGUI from the npm registry, pinned and hash-checked, with no Node:
python tests/refresh_yasgui.py [--version X.Y.Z | --check]

The pin (package, version, tarball URL, the registry's sha512 ``integrity``) and the sha256 of
every vendored file live in natoeu_graph/server/static/yasgui/yasgui.lock.json.

- no argument: download the pinned tarball again, check it against the recorded integrity and
  the registry's, and rewrite the vendored files (they must come out identical);
- ``--version X.Y.Z``: move the pin to another published version (its integrity taken from the
  registry, as npm's lock files do) and vendor it; review and commit the diff;
- ``--check``: offline, check the vendored files against the lock file's hashes.

Only the built bundle is vendored: yasgui.min.js (YASQE and YASR included), yasgui.min.css
(its images are data: URIs, no fonts) and the licence files. The source map (4 MB) is left out.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

PACKAGE = "@triply/yasgui"
REGISTRY = "https://registry.npmjs.org/"
TARGET = Path(__file__).resolve().parent.parent / "natoeu_graph" / "server" / "static" / "yasgui"
LOCK = TARGET / "yasgui.lock.json"
# tarball member -> vendored file name
FILES = {
    "package/build/yasgui.min.js": "yasgui.min.js",
    "package/build/yasgui.min.css": "yasgui.min.css",
    "package/LICENSE.txt": "LICENSE.txt",
    "package/build/yasgui.min.js.LICENSE.txt": "yasgui.min.js.LICENSE.txt",
}


class RefreshError(Exception):
    pass


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY):
        raise RefreshError(f"refusing to download from outside the npm registry: {url}")
    req = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return bytes(resp.read())


def _sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _sha256(data: bytes) -> str:
    return "sha256-" + hashlib.sha256(data).hexdigest()


def registry_dist(version: str) -> dict[str, str]:
    """The registry's record of one published version: its tarball URL and integrity."""
    try:
        meta = json.loads(_get(REGISTRY + PACKAGE.replace("/", "%2F") + "/" + version))
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
    """The wanted members of the tarball, read in memory (nothing else is written)."""
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
    return f"""# YASGUI, vendored

The query page of `natoeu serve` (/query) runs YASGUI, served from this folder: no CDN, no
network. Do not edit these files; `python tests/refresh_yasgui.py` rewrites them.

- package: `{lock['package']}` version {lock['version']} (npm registry)
- source: {lock['tarball']}
- integrity (sha512 of the tarball, as the registry publishes it): `{lock['integrity']}`
- licence: {lock['license']} (LICENSE.txt); the bundled libraries' notices are in
  yasgui.min.js.LICENSE.txt (jQuery, DataTables, DOMPurify, Papa Parse, Sortable and others)
- upstream: https://github.com/TriplyDB/yasgui
- files: only the built bundle and the licences; sha256 of each in yasgui.lock.json
"""


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; these are served and packaged
    os.replace(tmp, path)


def check() -> list[str]:
    """Differences between the vendored files and the lock file (empty when they agree)."""
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    problems = []
    for name, digest in lock["files"].items():
        path = TARGET / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path.read_bytes()) != digest:
            problems.append(f"{name}: sha256 differs from yasgui.lock.json")
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
    files = extract(tgz)
    if dist["license"] != "MIT":
        raise RefreshError(f"licence changed to {dist['license']!r}: review before vendoring")
    lock: dict[str, object] = {
        "package": PACKAGE, "version": pinned, "license": dist["license"],
        "tarball": dist["tarball"], "integrity": dist["integrity"],
        "files": {name: _sha256(data) for name, data in sorted(files.items())},
    }
    if old and old["version"] == pinned and old["files"] != lock["files"]:
        raise RefreshError("the same version extracted to different files: check FILES")
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
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
