"""Where the ontology, shapes, data and queries live: the one module that knows."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

HOME_ENV = "NATOEU_HOME"
CACHE_ENV = "NATOEU_CACHE_DIR"
_PACKAGE = Path(__file__).resolve().parent.parent
_PACKAGED = _PACKAGE / "_resources"
_SOURCE_TREE = _PACKAGE.parent


@dataclass(frozen=True)
class Resources:
    """Paths to one project tree: ontology/, data/, queries/.

    ``origin`` says how the tree was chosen (``--home``, ``NATOEU_HOME``, ``working directory``,
    ``packaged copy``, ``source checkout``), for messages; it takes no part in equality.
    """

    root: Path
    origin: str = field(default="given by the caller", compare=False)

    def describe(self) -> str:
        """One line naming the tree and how it was found, for users."""
        return f"project tree {self.root} ({self.origin})"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "natoeu.ttl"

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "natoeu.shapes.ttl"

    @property
    def context(self) -> Path:
        return self.root / "ontology" / "natoeu.context.jsonld"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def qa_dir(self) -> Path:
        """Ontology and data quality checks run by `natoeu qa`."""
        return self.root / "queries" / "qa"

    def data_files(self) -> list[Path]:
        """Data files in a stable order (sorted by name)."""
        return sorted(self.data_dir.glob("*.ttl"))

    def input_files(self) -> list[Path]:
        """Every file whose content determines the built graph."""
        return [self.ontology, self.shapes, *self.data_files()]


def is_tree(folder: Path) -> bool:
    """Whether ``folder`` is a natoeu project tree: ontology/natoeu.ttl, data/ and queries/."""
    try:
        return ((folder / "ontology" / "natoeu.ttl").is_file()
                and (folder / "data").is_dir() and (folder / "queries").is_dir())
    except OSError:  # unreadable folder on the way up: not a tree
        return False


def find_tree(start: Path) -> Path | None:
    """The nearest project tree at ``start`` or above it, as git finds a repository."""
    try:
        here = start.resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        if is_tree(folder):
            return folder
    return None


def locate(home: str | os.PathLike[str] | None = None,
           cwd: str | os.PathLike[str] | None = None) -> Resources:
    """Find the project tree.

    Order: an explicit ``home``, then $NATOEU_HOME, then the nearest tree at or above the
    working directory (so that `natoeu check` inside a checkout checks that checkout's edits),
    then the copy packaged in the wheel, then the source checkout this module sits in (editable
    installs).
    """
    from_env = home is None and bool(os.environ.get(HOME_ENV))
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        tree = Resources(Path(chosen).resolve(), HOME_ENV if from_env else "--home")
        if not tree.ontology.is_file():
            from .errors import UsageError

            raise UsageError(f"{chosen}: not a natoeu project tree (no ontology/natoeu.ttl)",
                             hint="Point --home or NATOEU_HOME at a folder with ontology/, "
                             "data/ and queries/ (a checkout of natoeu-graph), or unset it.")
        return tree
    try:
        start = Path(cwd) if cwd is not None else Path.cwd()
    except OSError:  # the working directory was deleted
        start = None
    found = find_tree(start) if start is not None else None
    if found is not None:
        return Resources(found, "found from the working directory")
    if (_PACKAGED / "ontology").is_dir():
        return Resources(_PACKAGED, "the copy installed with the package")
    return Resources(_SOURCE_TREE, "the source checkout the package runs from")


def cache_dir() -> Path:
    """Where built graphs and warm stores are cached: $NATOEU_CACHE_DIR, else the XDG cache."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "natoeu-graph"
