"""The package's layout: imports run downward through the stages, and no module imports itself
back through another (no cycle), function-level imports included.

Each subpackage's docstring says what it may import ("May import: core, sparql."); this test
reads that line, so the docstring and the code cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import natoeu_graph

PACKAGE = Path(natoeu_graph.__file__).resolve().parent
NAME = "natoeu_graph"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([NAME, *parts])] = path
    return out


MODULES = _modules()


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imports(module: str) -> set[str]:
    """Every natoeu_graph module that ``module`` imports, anywhere in its body."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if _is_package(module) else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == NAME}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != NAME:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    found.discard(module)
    return {m for m in found if m in MODULES}


GRAPH = {m: _imports(m) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return out


def test_the_import_graph_sees_relative_and_function_level_imports() -> None:
    # the reasoner picks its engine inside a function; build imports reason inside functions too
    assert "natoeu_graph.pipeline.reason.rules" in GRAPH["natoeu_graph.pipeline.reason.budget"]
    assert "natoeu_graph.pipeline.validate" in GRAPH["natoeu_graph.pipeline.build"]
    assert "natoeu_graph.core.errors" in GRAPH["natoeu_graph.pipeline.parse"]


def test_no_import_cycle_inside_the_package() -> None:
    assert _cycles() == []


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    saved = set(GRAPH["natoeu_graph.core.errors"])
    GRAPH["natoeu_graph.core.errors"].add("natoeu_graph.pipeline.parse")
    try:
        assert ["natoeu_graph.core.errors", "natoeu_graph.pipeline.parse"] in _cycles()
    finally:
        GRAPH["natoeu_graph.core.errors"] = saved


STAGES = ["core", "sparql", "pipeline", "stores", "outputs", "qa", "server", "site"]


def _allowed(stage: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text())) or ""
    if stage == "core":
        assert "imports nothing else from the package" in doc
        return set()
    match = re.search(r"^May import: ([a-z, ]+)\.$", doc, re.MULTILINE)
    assert match, f"{stage}/__init__.py does not say what it may import"
    return {s.strip() for s in match.group(1).split(",")}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else "top"


def test_every_module_lives_in_a_stage_except_the_cli_and_the_package_root() -> None:
    top = sorted(m for m in MODULES if _stage(m) == "top")
    assert top == ["natoeu_graph", "natoeu_graph.__main__", "natoeu_graph.cli"]


def test_each_stage_imports_only_what_its_docstring_allows() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        stage = _stage(module)
        if stage == "top":
            continue
        allowed = _allowed(stage) | {stage}
        wrong += [(module, t) for t in sorted(targets) if _stage(t) not in allowed]
    assert wrong == []


def test_the_cli_and_no_stage_is_imported_by_core() -> None:
    assert not any(_stage(t) != "core" for m in MODULES if _stage(m) == "core" for t in GRAPH[m])
    assert not any("natoeu_graph.cli" in targets for module, targets in GRAPH.items()
                   if module != "natoeu_graph.__main__")  # the entry, which falls back to it
