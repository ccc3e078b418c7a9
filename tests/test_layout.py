"""The package layout follows DESIGN.md's layers: checked by walking every module's AST.

* imports between symact's subpackages go only downward (core, numerics, expressions,
  analysis, propagation, proofs, presentation), at module level and inside functions;
* there are no import cycles between modules;
* no module imports another module's private (``_name``) names;
* modules stay small enough to read.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "symact"
LAYERS = ("core", "numerics", "expressions", "analysis", "propagation", "networks", "proofs",
          "presentation")
MAX_LINES = 600


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(name: str, path: pathlib.Path) -> list[tuple[str, list[str], int]]:
    """(absolute module, imported names, line) for every symact import in the file."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "symact" or target.startswith("symact."):
                names = [a.name for a in node.names]
                # "from . import plot" imports a submodule
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                if subs:
                    found.extend((s, [], node.lineno) for s in subs)
                else:
                    found.append((target, names, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("symact"):
                    found.append((a.name, [], node.lineno))
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return None


def test_every_module_sits_in_a_layer():
    stray = [m for m in MODULES if m not in ("symact", "symact.__main__") and _layer(m) is None]
    assert not stray, f"modules outside the layer subpackages: {stray}"


def test_imports_go_only_downward():
    bad = []
    for name, path in MODULES.items():
        mine = _layer(name)
        if mine is None:
            continue
        for target, _names, line in _imports(name, path):
            theirs = _layer(target)
            if theirs is not None and theirs > mine:
                bad.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_no_private_names_across_modules():
    bad = []
    for name, path in MODULES.items():
        for target, names, line in _imports(name, path):
            if target == name:
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    bad.append(f"{path.relative_to(ROOT.parent)}:{line} imports {n} from {target}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


def test_no_import_cycles():
    graph = {
        name: {t for t, _n, _l in _imports(name, path) if t in MODULES and t != name}
        for name, path in MODULES.items()
        if name not in ("symact", "symact.__main__")
    }
    # a package's __init__ is not an edge target: modules import siblings directly
    graph = {k: {t for t in v if not any(t == p for p in ("symact",))} for k, v in graph.items()}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt):], nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, nxt]):
                return True
        state[node] = 2
        return False

    for node in sorted(graph):
        if state.get(node) is None and visit(node, [node]):
            break
    assert not cycle, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_readable(name):
    lines = len(MODULES[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by concept (limit {MAX_LINES})"


def test_the_checker_sees_a_violation(tmp_path, monkeypatch):
    """The walker finds a planted upward and private import (so the tests above can fail)."""
    fake = tmp_path / "symact" / "core"
    fake.mkdir(parents=True)
    bad = fake / "bad.py"
    bad.write_text("from ..analysis.extrema import _pick\n")
    found = _imports("symact.core.bad", bad)
    assert found == [("symact.analysis.extrema", ["_pick"], 1)]
    assert _layer(found[0][0]) > _layer("symact.core.bad")
