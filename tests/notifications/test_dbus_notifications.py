"""Real desktop notifications: the app's notifier over a private D-Bus session to a recording
org.freedesktop.Notifications server (``notification_server.py``)."""

from __future__ import annotations

from pathlib import Path

from dbus_session import run_probe

PROBE = Path(__file__).with_name("notify_probe.py")


def test_the_notification_server_receives_exactly_what_was_sent(tmp_path: Path) -> None:
    answer = run_probe(PROBE, tmp_path)
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
