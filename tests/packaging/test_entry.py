"""The frozen app's entry point hands the app its own command line, so that the app owns the
process and ends it once it has cleaned up (no interpreter teardown of Qt behind a thread)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ENTRY = Path(__file__).resolve().parents[2] / "packaging" / "entry.py"


def _entry() -> ModuleType:
    spec = importlib.util.spec_from_file_location("photon_desktop_entry", ENTRY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_frozen_app_lets_main_own_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from photon_desktop import app

    given: list[list[str] | None] = []
    monkeypatch.setattr(app, "main", lambda argv=None: given.append(argv) or 0)
    monkeypatch.setattr(sys, "argv", ["photon-desktop", "--demo", "--smoke", "x.png"])
    assert _entry().main(sys.argv[1:]) == 0
    assert given == [None]  # main reads sys.argv itself: the process is its own to end


def test_the_sandbox_subcommand_still_runs_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    from photon_desktop.sandbox import cli

    given: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda argv: given.append(argv) or 0)
    assert _entry().main(["sandbox", "--port", "0"]) == 0
    assert _entry().main(["-m", "photon_desktop.sandbox", "--seed", "2"]) == 0
    assert given == [["--port", "0"], ["--seed", "2"]]
