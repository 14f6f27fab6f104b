"""Launching ``photon-desktop`` while it runs (``ui.single_instance``), as a user does: real
processes, the real sandbox child."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from app_support import demo_process, process_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sockets")

RUN_TIMEOUT_S = 60


def test_a_second_photon_desktop_hands_over_to_the_running_one(tmp_path: Path) -> None:
    """Real launches: the second prints that the app runs already and ends at once, starting no
    sandbox of its own; ``--smoke`` runs on its own beside it; once the first has quit, its lock
    and socket are gone."""
    env = process_env(tmp_path)
    runtime = Path(env["XDG_RUNTIME_DIR"])
    with demo_process(env) as (first, seen):
        second = subprocess.run(
            [sys.executable, "-m", "photon_desktop", "--demo"],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout
        assert "environment is unchanged" in second.stdout  # --demo was not used
        assert "local sandbox" not in second.stderr  # it started none

        smoke = subprocess.run(
            [sys.executable, "-m", "photon_desktop", "--demo", "--patients", "5",
             "--smoke", str(tmp_path / "shot.png")],
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )  # fmt: skip
        assert smoke.returncode == 0, smoke.stderr
        assert '"first_page_s"' in smoke.stdout

        first.send_signal(signal.SIGTERM)
        assert first.stderr is not None
        rest = first.stderr.read()
        assert first.wait(RUN_TIMEOUT_S) == 128 + signal.SIGTERM, rest
        assert "a second launch asked for the window" in "".join(seen) + rest
    assert sorted(p.name for p in runtime.iterdir()) == []
