"""What a test needs to run ``photon-desktop`` as a separate process, isolated from the machine."""

from __future__ import annotations

import os
from pathlib import Path


def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a child ``photon-desktop``: offscreen, its own home and config, and
    keyring's fail backend (nothing reaches the machine's keyring)."""
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env
