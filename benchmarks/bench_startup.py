"""Start-up of ``photon-desktop`` against a bare PySide6 window, whole processes, from outside.

Runs, alternately (so that a busy machine slows both alike), N times each:

- ``bare``: ``bare_window.py`` (QApplication, a shown QMainWindow, one paint, quit);
- ``floor``: ``floor_window.py``, the same after importing only the libraries the first page
  cannot do without (asyncio, qasync, httpx, msgspec, keyring, phonenumbers): what no version of
  the app on these libraries can beat;
- ``demo``: ``photon-desktop --demo --smoke PATH`` (starts its own sandbox child);
- ``running``: ``photon-desktop --smoke PATH`` on a sandbox started beforehand and remembered as
  the last environment, its M2M secret in a keyring (``bench_keyring.py``, benchmark-only): the
  "Photon already running" case.

One warm-up run of each comes first (not counted). Each child prints one JSON line (the moments
its window was shown and its first page painted, on the system's monotonic clock; ``peak_rss_mb``:
VmHWM at that moment). The parent times those moments from just before it created the child, on
the same clock: whole processes, to the millisecond. (Linux records a process's creation in 10 ms
ticks, too coarse for a 0.09 s baseline; a child that reports only tick-based times, an older
revision given with ``--before``, is timed by those.) The parent adds the wall time to exit, the
time from that line to the exit (the window has closed by then) and the child's CPU time
(``wait4``). Prints medians and the ratio of each median to the bare window's.

Run: ``python benchmarks/bench_startup.py [--runs 5] [--scenarios bare,floor,demo,running]
[--secret-service] [--before PYTHON] [--installed EXECUTABLE]``. ``--installed``: also
``EXECUTABLE --demo --smoke PATH`` (e.g. the one-folder app ``packaging/build.sh`` made) as
``installed-demo``, and with ``--secret-service`` ``EXECUTABLE --smoke PATH`` on the running
sandbox as ``installed-running`` (a frozen app cannot load the benchmark's file keyring).
``--before``: an interpreter that imports another checkout of the app, e.g. a venv whose
``.pth`` names an exported older revision; run from outside this checkout.
``--secret-service`` keeps the "already running" secret where a Linux desktop keeps it,
found by keyring's own discovery; run it inside a D-Bus session with gnome-keyring unlocked::

    dbus-run-session -- sh -c 'eval "$(printf bench | gnome-keyring-daemon --unlock
    --components=secrets)"; python benchmarks/bench_startup.py --secret-service'

(one command: the line break is only for this page).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MEASURES = ("window_shown_s", "first_page_s", "exit_after_s", "wall_s", "cpu_s", "peak_rss_mb")


def isolated_env(home: Path) -> dict[str, str]:
    """Offscreen, a home of its own (settings, logs), keyring's fail backend unless replaced.

    Bytecode is written (to a cache beside ``home``, not into the tree) and a warm-up run comes
    first, as an installed app has its ``.pyc`` files: with ``PYTHONDONTWRITEBYTECODE`` every run
    would compile the app's sources again (~0.2 s).
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONFAULTHANDLER="1",  # a crash prints its Python stack
        PYTHONPYCACHEPREFIX=str(home.parent / "pycache"),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def run_once(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """One child, timed from just before its creation to its exit."""
    log = tempfile.TemporaryFile("w+")  # the child's stderr, shown if it fails
    began = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None
    result: dict[str, float] = {}
    line_at = None
    for line in process.stdout:
        if line.startswith("{"):
            line_at = time.monotonic()
            result = json.loads(line)
            for moment in ("window_shown", "first_page"):
                clock = result.pop(f"{moment}_clock", None)
                if clock is not None:  # this child reports the monotonic clock
                    result[f"{moment}_s"] = clock - began
            result.setdefault("peak_rss_mb", peak_rss_mb(process.pid))  # an older --smoke
    _, status, usage = os.wait4(process.pid, 0)
    ended = time.monotonic()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or line_at is None:
        log.seek(0)
        tail = "".join(log.readlines()[-40:])
        raise SystemExit(f"{command[1:]} failed with exit code {process.returncode}:\n{tail}")
    log.close()
    result["exit_after_s"] = ended - line_at
    result["wall_s"] = ended - began
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process, in MB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RunningSandbox:
    """A sandbox started beforehand, remembered by the app as its last environment; its M2M
    secret in ``bench_keyring``'s file, or (``secret_service``) in the desktop's Secret Service
    through keyring's own discovery, as on a Linux desktop."""

    def __init__(self, home: Path, *, secret_service: bool = False) -> None:
        self.home = home
        self.env = isolated_env(home)
        if secret_service:
            del self.env["PYTHON_KEYRING_BACKEND"]
        else:
            self.env["PYTHON_KEYRING_BACKEND"] = "bench_keyring.FileKeyring"
            self.env["PYTHONPATH"] = os.pathsep.join(
                [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
            self.env["BENCH_KEYRING_FILE"] = str(home / "keyring.json")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "photon_desktop.sandbox", "--port", "0", "--seed", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        info = json.loads(self.process.stdout.readline())
        setup = (
            "import sys, keyring\n"
            "from PySide6.QtCore import QCoreApplication, QSettings\n"
            "from photon_desktop import APP_NAME, ORG_NAME\n"
            "from photon_desktop.auth.profiles import Profile, save_profile\n"
            "from photon_desktop.auth.secret_store import m2m_secret_user, service_name\n"
            "from photon_desktop.desktop import QtSettingsStore\n"
            "issuer, audience, graphql, client_id, secret = sys.argv[1:]\n"
            "QCoreApplication.setOrganizationName(ORG_NAME)\n"
            "QCoreApplication.setApplicationName(APP_NAME)\n"
            "store = QtSettingsStore(QSettings(ORG_NAME, APP_NAME))\n"
            "save_profile('local', Profile(m2m_client_id=client_id, issuer=issuer,"
            " audience=audience, graphql_url=graphql), store)\n"
            "store.set_text('app/last_environment', 'local'); store.sync()\n"
            "keyring.set_password(service_name('local'), m2m_secret_user(client_id), secret)\n"
            "print(type(keyring.get_keyring()).__module__)\n"
        )
        backend = subprocess.run(
            [sys.executable, "-c", setup, info["issuer"], info["audience"], info["graphql_url"],
             info["m2m"]["client_id"], info["m2m"]["client_secret"]],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()  # fmt: skip
        if secret_service and backend != "keyring.backends.SecretService":
            self.stop()
            raise SystemExit(
                f"--secret-service: keyring chose {backend}, not the Secret Service; run inside "
                "a D-Bus session with an unlocked Secret Service (see the module's docstring)"
            )

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--secret-service",
        action="store_true",
        help="running: the secret in the desktop's Secret Service (keyring's own discovery)",
    )
    parser.add_argument("--scenarios", default="bare,floor,demo,running")
    parser.add_argument(
        "--before",
        metavar="PYTHON",
        help="also run demo and running with this interpreter (another checkout of the app), "
        "alternating with the others, as demo-before and running-before",
    )
    parser.add_argument(
        "--installed",
        metavar="EXECUTABLE",
        help="also run this installed photon-desktop (e.g. build/dist/photon-desktop/"
        "photon-desktop) with --demo, alternating with the others, as installed-demo (and "
        "with --secret-service, on the running sandbox as installed-running)",
    )
    args = parser.parse_args()
    scenarios = args.scenarios.split(",")
    app = [sys.executable, "-m", "photon_desktop"]
    before = [args.before, "-m", "photon_desktop"] if args.before else None
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        root = Path(tmp)
        shot = str(root / "shot.png")
        commands: dict[str, tuple[list[str], dict[str, str]]] = {
            "bare": ([sys.executable, str(HERE / "bare_window.py")], isolated_env(root / "bare")),
            "floor": (
                [sys.executable, str(HERE / "floor_window.py")],
                {**isolated_env(root / "floor"), "PYTHONPATH": str(HERE)},
            ),
            "demo": ([*app, "--demo", "--smoke", shot], isolated_env(root / "demo")),
        }
        running = (
            RunningSandbox(root / "running", secret_service=args.secret_service)
            if "running" in scenarios
            else None
        )
        if running is not None:
            commands["running"] = ([*app, "--smoke", shot], running.env)
        if args.installed:
            commands["installed-demo"] = (
                [args.installed, "--demo", "--smoke", shot],
                isolated_env(root / "installed"),
            )
            scenarios.append("installed-demo")
            if running is not None and args.secret_service:
                commands["installed-running"] = ([args.installed, "--smoke", shot], running.env)
                scenarios.append("installed-running")
        if before is not None:
            commands["demo-before"] = ([*before, "--demo", "--smoke", shot], commands["demo"][1])
            scenarios.append("demo-before")
            if running is not None:
                commands["running-before"] = ([*before, "--smoke", shot], running.env)
                scenarios.append("running-before")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in scenarios}
        try:
            for name in scenarios:  # warm-up: bytecode written, files in the page cache
                run_once(*commands[name])
            for _ in range(args.runs):
                for name in scenarios:
                    results[name].append(run_once(*commands[name]))
        finally:
            if running is not None:
                running.stop()
    report(results, args.runs)


def report(results: dict[str, list[dict[str, Any]]], runs: int) -> None:
    medians = {
        name: {m: statistics.median(r[m] for r in rows) for m in MEASURES}
        for name, rows in results.items()
    }
    bare = medians.get("bare")
    print(f"medians of {runs} runs each, alternating; ratio = median / bare window's median")
    print(f"{'scenario':<18}" + "".join(f"{m:>16}" for m in MEASURES))
    for name, values in medians.items():
        cells = []
        for m in MEASURES:
            cell = f"{values[m]:.3f}" if m != "peak_rss_mb" else f"{values[m]:.0f}"
            if bare is not None and name != "bare" and bare[m] > 0:
                cell += f" ({values[m] / bare[m]:.1f}x)"
            cells.append(f"{cell:>16}")
        print(f"{name:<18}" + "".join(cells))


if __name__ == "__main__":
    main()
