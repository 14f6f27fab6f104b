"""The ``photon-desktop`` command as a user runs it: a real process, the real sandbox child."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from app_support import process_env
from PySide6.QtGui import QImage

from photon_desktop import __version__


def _env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path)


def _run(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "photon_desktop", *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


KEYS = {
    "process_s",
    "window_shown_s",
    "first_page_s",
    "peak_rss_mb",
    "window_shown_clock",
    "first_page_clock",
}


def _clocks_agree(timings: dict[str, float], before: float, after: float) -> None:
    """The two moments on the monotonic clock fall inside this test's own readings of it, in
    order, as far apart as the times from the process's creation say, give or take what those
    can tell apart (Linux gives a process's age in 10 ms steps)."""
    shown, painted = timings["window_shown_clock"], timings["first_page_clock"]
    assert before < shown <= painted < after
    apart = timings["first_page_s"] - timings["window_shown_s"]
    assert abs((painted - shown) - apart) < 0.025


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"photon-desktop {__version__}"


def test_smoke_works_without_demo_and_times_from_process_creation(tmp_path: Path) -> None:
    """First launch, nothing configured: the first page is "Get started"."""
    shot = tmp_path / "welcome.png"
    before = time.monotonic()
    result = _run(tmp_path, "--smoke", str(shot))
    after = time.monotonic()
    assert result.returncode == 0, result.stderr
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(timings) == KEYS
    # Interpreter start-up and imports come before main(): measured from the process's creation.
    assert 0 < timings["process_s"] <= timings["window_shown_s"] <= timings["first_page_s"]
    _clocks_agree(timings, before, after)
    assert timings["peak_rss_mb"] > 10  # a Python with Qt loaded: read, not left at 0
    assert "local sandbox ready" not in result.stderr  # no sandbox was needed
    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800


def test_demo_smoke_paints_the_patient_list_and_stops_the_sandbox(tmp_path: Path) -> None:
    shot = tmp_path / "shots" / "main.png"
    before = time.monotonic()
    result = _run(tmp_path, "--demo", "--smoke", str(shot))
    after = time.monotonic()
    assert result.returncode == 0, result.stderr
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(timings) == KEYS
    assert 0 < timings["process_s"] <= timings["window_shown_s"] <= timings["first_page_s"]
    _clocks_agree(timings, before, after)

    image = QImage(str(shot))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, 400, 7)}
    assert len(colours) > 20, "the screenshot looks blank"

    # The sandbox child it started is stopped: its port no longer answers.
    match = re.search(r"local sandbox ready at (http://127\.0\.0\.1:\d+)/graphql", result.stderr)
    assert match, result.stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(match.group(1) + "/.well-known/jwks.json", timeout=5)

    # Access tokens (JWTs, "eyJ...") live in memory only: no file the app wrote holds one.
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != shot]
    assert any(p.name == "photon-desktop.log" for p in written), written
    for path in written:
        assert "eyJ" not in path.read_text(errors="replace"), path
