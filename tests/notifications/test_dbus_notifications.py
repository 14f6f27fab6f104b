"""Real desktop notifications: the app's notifier over a private D-Bus session to a recording
org.freedesktop.Notifications server (``notification_server.py``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).with_name("notify_probe.py")


def test_the_notification_server_receives_exactly_what_was_sent(tmp_path: Path) -> None:
    assert shutil.which("dbus-run-session"), (
        "dbus-run-session not installed: apt-get install dbus (this test must run)"
    )
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_RUNTIME"))}
    env.update(XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    received = answer["received"]
    assert [(n["summary"], n["body"]) for n in received] == [
        ("Order placed", "A. L."),
        ("Order shipped", "A. L.: UPS, tracking 1Z0000000000000042"),
        ("6 orders changed", "6 other changes. Open the worklist to see them."),
    ]
    assert all(n["app"] == "Photon Desktop" for n in received)
    assert all("default" in n["actions"] for n in received)  # clickable
    assert answer["ports"] == ["desktop", "desktop", "desktop"]
    # Clicking the first opens its order; clicking the group opens the worklist (no order id).
    assert answer["opened"] == ["ord_0001", None]
