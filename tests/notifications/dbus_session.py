"""Run a probe script inside a private ``dbus-run-session`` and read its JSON answer line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_probe(probe: Path, tmp_path: Path, *, timeout: float = 90) -> Any:
    assert shutil.which("dbus-run-session"), (
        "dbus-run-session not installed: apt-get install dbus (this test must run)"
    )
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_RUNTIME"))}
    env.update(XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(probe)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
