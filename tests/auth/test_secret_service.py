"""The keyring code against a REAL Secret Service (gnome-keyring in a private D-Bus session)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.secret_service

SCRIPT = textwrap.dedent(
    """
    import asyncio, json
    import keyring
    from photon_desktop.auth.secret_store import SecretStore, refresh_token_user

    async def main():
        store = SecretStore()
        usable = await store.probe()
        user = refresh_token_user("nativeClientIdForSecretService01")
        stored = await store.set("sandbox", user, "rt-real-secret-service-0001")
        fresh = SecretStore()  # another instance reads what the first one stored
        read_back = await fresh.get("sandbox", user)
        raw = keyring.get_password("photon-desktop:sandbox", user)
        await fresh.delete("sandbox", user)
        after = await SecretStore().get("sandbox", user)
        print(json.dumps({
            "usable": usable, "backend": store.backend_name, "notice": store.notice,
            "stored": stored, "read_back": read_back, "raw": raw, "after": after,
        }))

    asyncio.run(main())
    """
)


def test_refresh_token_round_trip_in_gnome_keyring(tmp_path: Path) -> None:
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    assert not missing, (
        f"{', '.join(missing)} not installed: apt-get install dbus gnome-keyring "
        "(this test must run, it is not skipped)"
    )
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    runtime.chmod(0o700)
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    shell = (
        f'export HOME="{home}" XDG_RUNTIME_DIR="{runtime}"; '
        "eval \"$(printf 'ci-password' | gnome-keyring-daemon --unlock --components=secrets)\"; "
        f'"{sys.executable}" "{script}"'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["usable"] is True, answer
    assert answer["backend"] == "Keyring (keyring.backends.SecretService)"
    assert answer["notice"] is None
    assert answer["stored"] is True
    assert answer["read_back"] == answer["raw"] == "rt-real-secret-service-0001"
    assert answer["after"] is None
