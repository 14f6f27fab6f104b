"""The installable app: ``packaging/build.sh`` builds the one-folder app and its Debian package,
``dpkg -i`` installs it on this machine, and the installed ``photon-desktop`` runs: its version,
the demo with its own bundled sandbox (screenshot checked non-blank) and the sandbox command.

Part of the default run, as CI runs it (root; about 1.5 minutes). Where the run is not root,
it skips and says why; ``python -m pytest -m package tests/packaging`` runs it alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import photon_desktop

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 1800
RUN_TIMEOUT_S = 120
QT_NOISE = "This plugin does not support propagateSizeHints()"


def installed_version() -> str | None:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status} ${Version}", "photon-desktop"],
        capture_output=True,
        text=True,
    )
    return done.stdout.split()[-1] if "install ok installed" in done.stdout else None


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    if os.geteuid() != 0 or shutil.which("dpkg-deb") is None:
        pytest.skip("building and installing a Debian package needs root and dpkg-deb")
    done = subprocess.run(
        [str(ROOT / "packaging" / "build.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print("package build:", report)
    return dict(report)


@pytest.fixture(scope="module")
def installed(built: dict[str, Any]) -> Iterator[Path]:
    before = installed_version()
    done = subprocess.run(["dpkg", "-i", built["deb"]], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    yield Path("/usr/bin/photon-desktop")
    if before is None:  # leave the machine as found
        subprocess.run(["dpkg", "--purge", "photon-desktop"], capture_output=True, check=True)


def test_the_package_installs_the_app_its_launcher_and_desktop_files(installed: Path) -> None:
    assert installed_version() == photon_desktop.__version__
    assert shutil.which("photon-desktop") == str(installed)
    files = subprocess.run(
        ["dpkg", "-L", "photon-desktop"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for expected in (
        "/opt/photon-desktop/photon-desktop",
        "/usr/share/applications/photon-desktop.desktop",
        "/usr/share/icons/hicolor/scalable/apps/photon-desktop.svg",
        "/usr/share/icons/hicolor/256x256/apps/photon-desktop.png",
        "/usr/share/metainfo/health.photon.desktop.metainfo.xml",
    ):
        assert expected in files
    bundled = Path("/opt/photon-desktop/_internal/photon_desktop")
    assert (bundled / "schema.graphql").is_file()
    assert list((bundled / "api" / "documents").glob("*.graphql"))
    assert list((bundled / "sandbox" / "data").glob("*.json"))
    assert list((bundled / "resources" / "icons").glob("*.svg"))


def test_the_bundle_starts_without_build_tools_or_an_archive(built: dict[str, Any]) -> None:
    """What makes the installed app start sooner (the spec's ``BUILD_TOOLS`` and ``noarchive``):
    no setuptools, whose runtime hook would import it before the app's first line, and the
    modules as plain ``.pyc`` files, which the standard import system reads."""
    internal = Path(built["bundle"]) / "_internal"
    assert (internal / "photon_desktop" / "app.pyc").is_file()
    assert not (internal / "setuptools").exists()


def test_the_installed_app_prints_its_version(installed: Path) -> None:
    done = subprocess.run(
        [str(installed), "--version"], capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"photon-desktop {photon_desktop.__version__}"


def test_the_installed_app_runs_the_demo_on_its_own_sandbox(
    installed: Path, tmp_path: Path
) -> None:
    """Under a real Secret Service, so a keyring backend missing from the bundle would show."""
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    assert not missing, f"{missing} not installed: apt-get install dbus gnome-keyring"
    screenshot = tmp_path / "x.png"
    shell = (
        "eval \"$(printf 'ci-password' | gnome-keyring-daemon --unlock --components=secrets)\"; "
        f'exec "{installed}" --demo --smoke "{screenshot}"'
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_DATA_HOME", None)
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stderr
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    assert timings["first_page_s"] > 0
    app_log = [line for line in done.stderr.splitlines() if "photon_desktop" in line]
    problems = [line for line in app_log if " WARNING " in line or " ERROR " in line]
    assert problems == [], "\n".join(problems)
    assert "Traceback" not in done.stderr
    assert_not_blank(screenshot)


def assert_not_blank(path: Path) -> None:
    """A real window has text, lines and a selection: many colours, no single one everywhere."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not an image"
    assert image.width() >= 640 and image.height() >= 400
    counts: dict[int, int] = {}
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            rgb = image.pixel(x, y)
            counts[rgb] = counts.get(rgb, 0) + 1
    total = sum(counts.values())
    assert len(counts) > 32, "the screenshot has almost no colours"
    assert max(counts.values()) / total < 0.9, "one colour covers the screenshot"


def test_the_installed_app_serves_its_sandbox(installed: Path) -> None:
    process = subprocess.Popen(
        [str(installed), "sandbox", "--port", "0", "--patients", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        discovery = httpx.get(ready["issuer"].rstrip("/") + "/.well-known/openid-configuration")
        assert discovery.status_code == 200
        assert discovery.json()["issuer"] == ready["issuer"]
        # The sandbox never uses Qt, so the bundle's run-time hook must not load it there
        # (PyInstaller's own hook for PySide6 did, in every process of the executable).
        mapped = Path(f"/proc/{process.pid}/maps").read_text()
        assert "libQt6Core" not in mapped
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=RUN_TIMEOUT_S)
        _, stderr = process.communicate()
    assert code == 0, stderr
