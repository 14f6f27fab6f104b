"""Scroll the real patient list through 10,000 rows of a 100,000-patient sandbox, over HTTP.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_patient_scroll.py
[--patients 100000] [--rows 10000] [--page-size 100 25]``.

Starts ``python -m photon_desktop.sandbox --port 0 --patients N`` (one JSON line on stdout), signs
in with the sandbox's M2M pair, shows ``PatientList`` and keeps scrolling to the bottom (each
scroll makes the view call ``fetchMore``) until the model holds ``--rows`` rows. A 5 ms heartbeat
``QTimer`` records the longest gap between its ticks: the worst event-loop stall a user would feel.
RSS is read from /proc/self/status after the rows are loaded. Targets: stall <= 50 ms,
RSS <= 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import keyring.backend
import qasync
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.services import Services
from photon_desktop.ui.patients.list import PatientList
from photon_desktop.ui.workspace import Workspace


class _NoKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        return None


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_sandbox(patients: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "photon_desktop.sandbox",
            "--port",
            "0",
            "--seed",
            "1",
            "--patients",
            str(patients),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.strip():
        process.kill()
        raise SystemExit("the sandbox printed no JSON line")
    return process, json.loads(line)


class Heartbeat:
    """Ticks every 5 ms; ``max_gap_ms`` is the longest time between two ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.clock = QElapsedTimer()
        self.max_gap_ms = 0.0
        self.gaps: list[tuple[float, str]] = []  # the worst gaps, with what was happening
        self.phase = ""
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.max_gap_ms = 0.0
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.max_gap_ms = max(self.max_gap_ms, gap)
        if gap > 20:
            self.gaps.append((gap, self.phase))


async def scroll(info: dict[str, Any], rows: int, page_size: int) -> dict[str, float]:
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=info["issuer"], audience=info["audience"], graphql_url=info["graphql_url"]
    )
    async with httpx.AsyncClient(timeout=30) as http:
        session = Session(env, http, SecretStore(_NoKeyring()), profile=Profile())
        await session.use_m2m(
            info["m2m"]["client_id"], info["m2m"]["client_secret"], remember=False
        )
        services = Services(http, env.graphql_url, session)
        workspace = Workspace()
        workspace.set(env, session, services)
        before = rss_mb()
        view = PatientList(workspace, page_size=page_size)
        view.resize(1200, 800)
        view.show()
        beat = Heartbeat()
        beat.start()
        started = time.perf_counter()
        first = asyncio.get_running_loop().create_future()
        view.first_page_loaded.connect(lambda: first.done() or first.set_result(None))
        beat.phase = "first page"
        await first
        first_ms = (time.perf_counter() - started) * 1000
        model = view.model
        assert model is not None
        while model.rowCount() < rows:
            beat.phase = f"scrolling, {model.rowCount()} rows"
            if not model.loading:
                view.table.scrollToBottom()  # the view asks fetchMore at the bottom
            await asyncio.sleep(0.001)
            if model.error is not None:
                raise SystemExit(f"page failed: {model.error}")
        elapsed = time.perf_counter() - started
        # Scroll back through what is loaded, as a user dragging the thumb would.
        bar = view.table.verticalScrollBar()
        beat.phase = "scrolling back"
        for value in range(bar.maximum(), 0, -max(1, bar.maximum() // 200)):
            bar.setValue(value)
            await asyncio.sleep(0)
        beat.stop()
        result = {
            "rows": float(model.rowCount()),
            "pages": float(model.pages_loaded),
            "first_page_ms": first_ms,
            "seconds": elapsed,
            "max_stall_ms": beat.max_gap_ms,
            "rss_mb": rss_mb(),
            "rss_before_mb": before,
        }
        worst = sorted(beat.gaps, reverse=True)[:5]
        listed = "; ".join(f"{g:.0f} ms ({p})" for g, p in worst)
        print("  worst gaps: " + (listed or "none over 20 ms"))
        view.cancel_tasks()
        view.close()
        await services.aclose()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, nargs="+", default=[100, 25])
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QCoreApplication.setOrganizationName("PhotonDesktopBench")
    t0 = time.perf_counter()
    process, info = start_sandbox(args.patients)
    print(f"sandbox with {args.patients} patients up in {time.perf_counter() - t0:.1f} s")
    try:
        for size in args.page_size:
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                r = runner.run(scroll(info, args.rows, size))
            verdict = "OK" if r["max_stall_ms"] <= 50 and r["rss_mb"] <= 250 else "OVER TARGET"
            print(
                f"page {size:>3}: {int(r['rows'])} rows in {int(r['pages'])} pages, "
                f"{r['seconds']:.1f} s; first page {r['first_page_ms']:.0f} ms; "
                f"longest stall {r['max_stall_ms']:.1f} ms (target <= 50); "
                f"RSS {r['rss_mb']:.0f} MB (before the list {r['rss_before_mb']:.0f} MB; "
                f"target <= 250)  {verdict}"
            )
    finally:
        process.terminate()
        process.wait(timeout=15)


if __name__ == "__main__":
    main()
