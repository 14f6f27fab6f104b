"""The code's shape is part of the test suite: a broken layer, lint or type error fails CI.

Each check runs the tool that owns the rule (import-linter, ruff, mypy) on the whole tree, from the
same virtual environment as pytest, so a violation shows up as a failing test with the tool's own
report. The layer contracts live in pyproject.toml (``[tool.importlinter]``).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TREES = ["photon_desktop", "tests", "benchmarks"]
#: A module may pass 500 lines only if its docstring says why.
REASON = re.compile(r"(Over|Longer than) 500 lines because")

CHECKS = {
    "import-contracts": [str(BIN / "lint-imports")],
    "ruff-check": [str(BIN / "ruff"), "check", *TREES],
    "ruff-format": [str(BIN / "ruff"), "format", "--check", *TREES],
    "mypy": [str(BIN / "mypy")],
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_tool_passes(name: str) -> None:
    result = subprocess.run(
        CHECKS[name], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"


def test_no_module_over_500_lines_without_a_reason() -> None:
    """A module over ~500 lines does several jobs, unless its docstring says why it may not."""
    long = []
    for path in sorted((ROOT / "photon_desktop").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > 500 and not REASON.search(ast.get_docstring(ast.parse(text)) or ""):
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not long, "split these by responsibility, or say why not: " + ", ".join(long)


def test_every_package_is_shipped() -> None:
    """pyproject lists its packages (the icons are mapped in from resources/), so a new folder
    must be added there: otherwise the wheel and the installed app lack it and fail to start."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "photon_desktop").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
