"""Imports point down only: bot -> dialogs -> rules (DESIGN.md)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "rules": {"dialogs", "bot", "telegram", "transitions", "babel"},
    "dialogs": {"bot", "telegram"},
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_point_down(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    for path in files:
        bad = _imported_roots(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_rules_does_not_load_ui_libraries_at_runtime() -> None:
    """Importing and running the rules core pulls in none of the upper layers' libraries."""
    import subprocess
    import sys

    code = (
        "import sys, rules; rules.assess(rules.Situation(tax_year=2026, age=40)); "
        "bad = {'telegram', 'transitions', 'babel', 'dialogs', 'bot'} & set(sys.modules); "
        "print(sorted(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def _imported_names(path: Path, root: str) -> list[tuple[str, str, int]]:
    """(module, name, line) for every `from root... import name` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == root:
                found += [(node.module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.startswith(root)]
    return found


@pytest.mark.parametrize(("package", "below"), [("bot", "dialogs")])
def test_a_layer_uses_only_the_public_names_of_the_one_below(package: str, below: str) -> None:
    """`bot` imports `from dialogs import X` with X in dialogs.__all__; nothing deeper."""
    public = set(importlib.import_module(below).__all__)
    for path in sorted((ROOT / package).rglob("*.py")):
        for module, name, line in _imported_names(path, below):
            where = f"{path.relative_to(ROOT)}:{line}"
            assert module == below, f"{where} imports from {module}, not {below}"
            assert name in public, f"{where} imports {name}, not in {below}.__all__"


def _module_imports(package: str) -> dict[str, set[str]]:
    """Each module of a package and the modules of it that it imports, anywhere in it."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        graph[name] = {m for m in imported if m.startswith(f"{package}.")}
    return graph


@pytest.mark.parametrize("package", ["rules", "dialogs"])
def test_no_import_circles(package: str) -> None:
    """No module reaches itself through its imports (not even inside a function)."""
    graph = _module_imports(package)

    def reaches(start: str, node: str, seen: set[str]) -> bool:
        for nxt in graph.get(node, ()):
            if nxt == start or (nxt not in seen and reaches(start, nxt, seen | {nxt})):
                return True
        return False

    circles = sorted(m for m in graph if reaches(m, m, {m}))
    assert not circles, f"import circles through {circles}"
