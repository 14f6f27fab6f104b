"""Start-up loads the trusted certificates (``api.tls``) only when the environment it opens is
reached over https; the bundled sandbox on loopback never needs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from app_support import smoke_demo_in_process
from auth_fakes import MemoryKeyring
from PySide6.QtWidgets import QApplication

from photon_desktop import app
from photon_desktop.api import tls
from photon_desktop.ui.common.window_preferences import LAST_ENVIRONMENT

Run = Callable[..., Any]


@pytest.mark.parametrize(
    ("argv", "last", "loads"),
    [
        (["--demo"], "production", False),  # the bundled sandbox, whatever was used last
        ([], "local", False),
        ([], "", False),  # nothing chosen yet: the welcome page
        ([], "production", True),
        (["--environment", "sandbox"], "local", True),
        (["--environment", "local"], "production", False),
    ],
)
def test_the_certificates_load_at_start_up_only_for_an_environment_over_https(
    isolated: MemoryKeyring, argv: list[str], last: str, loads: bool
) -> None:
    LAST_ENVIRONMENT.set(last)
    assert app.opens_over_https(app.parse_args(argv)) is loads


def test_start_up_names_the_bundled_sandbox_as_the_auth_layer_does() -> None:
    from photon_desktop.auth.environments import LOCAL_SANDBOX

    assert app.LOCAL_KEY == LOCAL_SANDBOX.key


def test_the_demo_runs_without_ever_loading_them(
    isolated: MemoryKeyring,
    arun: Run,
    qapp: QApplication,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tls, "_context", None)
    monkeypatch.setattr(tls, "_loaded", None)
    assert smoke_demo_in_process(arun, qapp, tmp_path / "shot.png") == 0
    assert tls._context is not None  # the clients were made with it
    assert tls._loaded is None
