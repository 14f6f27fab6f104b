"""The trimmed bundle leaves out Qt and standard-library modules the app does not use, and every
bundle leaves out the build's setuptools: none of them may be imported anywhere in the app, or
the installed app fails where the development one works. (Default suite: it reads files only;
the package test then proves the bundle starts.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[2]
SPEC = ROOT / "packaging" / "photon-desktop.spec"


def excluded_modules() -> set[str]:
    """The spec's ``UNUSED_MODULES`` (trimmed builds) and ``BUILD_TOOLS`` (every build)."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in {"UNUSED_MODULES", "BUILD_TOOLS"}:
                    found[target.id] = set(ast.literal_eval(node.value))
    assert set(found) == {"UNUSED_MODULES", "BUILD_TOOLS"}, "the spec no longer names both lists"
    return found["UNUSED_MODULES"] | found["BUILD_TOOLS"]


def imported_modules() -> dict[str, str]:
    """Every module the app's code imports (at any depth, lazily or not) -> one file that does."""
    seen: dict[str, str] = {}
    for path in sorted((ROOT / "photon_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                seen.setdefault(name, str(path.relative_to(ROOT)))
    return seen


def test_no_module_left_out_of_the_bundle_is_imported_by_the_app() -> None:
    excluded = excluded_modules()
    assert {"PySide6.QtQml", "setuptools"} <= excluded  # the spec is read, not an empty list
    used = {
        name: where
        for name, where in imported_modules().items()
        if any(name == gone or name.startswith(gone + ".") for gone in excluded)
    }
    assert used == {}, "the spec leaves these out, but the app imports them"
