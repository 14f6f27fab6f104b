"""``photon-desktop``: the command line, logging, the Qt application and the event loop.

``photon-desktop check …`` diagnoses one environment without a window (``photon_desktop.check``).
``--demo`` starts the bundled sandbox as a child process and signs in with its demo M2M
credentials (memory only). ``--smoke PATH`` (with any environment) waits for the first page (the
patient list once painted with rows, or whichever page start-up lands on), saves a screenshot of
the main window and prints ``{"process_s", "window_shown_s", "first_page_s", "peak_rss_mb",
"window_shown_clock", "first_page_clock"}`` as one JSON line: seconds from the creation of the
process to Python's ``main``, to the shown window and to the first page (Linux records a process's
creation in 10 ms ticks), the most memory the process had held when the first page was painted
(Linux; 0 elsewhere), and
the moments the window was shown and the first page painted on the system's monotonic clock
(``time.monotonic``), for a parent that noted the same clock just before starting the process.
Another launch already running is asked for its window instead (``ui.single_instance``).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from photon_desktop import APP_NAME, ORG_NAME, __version__, logs, redact

if TYPE_CHECKING:
    import asyncio

    from photon_desktop.local_sandbox import LocalSandbox
    from photon_desktop.ui.single_instance import Instance

log = logging.getLogger("photon_desktop")

SMOKE_TIMEOUT_S = 120.0
#: The collector comes back this long after start-up at the latest (a first page that never paints).
COLLECTOR_HELD_AT_MOST_S = 10.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="photon-desktop", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"photon-desktop {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run on the bundled local sandbox with demo data"
    )
    parser.add_argument(
        "--smoke",
        metavar="PATH",
        type=Path,
        help="screenshot the first page to PATH, print start-up timings as JSON, exit",
    )
    parser.add_argument("--patients", type=int, default=200, help="demo patients (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default 1)")
    parser.add_argument(
        "--environment",
        choices=["local", "sandbox", "production", "custom"],
        help="open this environment instead of the last one used",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def process_age() -> float:
    """Seconds since this process was created (Linux: ``/proc/self/stat``), else since this
    module was imported (which misses the interpreter's own start-up)."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            # Field 22 (after the parenthesised name, which may hold spaces): start in clock ticks.
            fields = stat.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as uptime:
            up = float(uptime.read().split()[0])
        return max(0.0, up - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (``VmHWM``; 0 where ``/proc`` is not)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def main(argv: list[str] | None = None) -> int:
    """The command line. Called without ``argv`` (the ``photon-desktop`` script, ``python -m
    photon_desktop``) it owns the process and ends it as soon as the app has cleaned up."""
    started_s = process_age()
    release_collector = hold_collector()
    own_process = argv is None
    argv = sys.argv[1:] if argv is None else argv
    # httpx imports its own command line (click, rich, pygments when installed: ~50 ms of start-up)
    # unless that import fails; this app never runs it, so it is made to fail.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    if argv[:1] == ["check"]:
        return check(argv[1:])
    args = parse_args(argv)
    instance = None
    if not args.smoke:  # the lock first of all, before a sandbox child is started
        from photon_desktop.ui import single_instance

        instance = single_instance.claim_or_hand_over(changes=bool(args.demo or args.environment))
        if instance is None:
            return 0  # the launch already running shows its window
    sandbox = spawn_demo_sandbox(args)
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    from photon_desktop.ui.common import feature_check

    feature_check.install()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("photon-desktop")
    app.setQuitOnLastWindowClosed(False)
    data_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    logs.configure(Path(data_dir) / "logs" if data_dir else None, verbose=args.verbose)
    frame = show_frame(app, started_s)
    import_below_the_ui(load_trust=opens_over_https(args))
    import asyncio  # not before the frame: ~30 ms (ssl, sockets) it does not need

    import qasync

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        try:
            code = runner.run(run(app, args, frame, sandbox, release_collector, instance))
        except KeyboardInterrupt:
            code = 130
    # A profiler or coverage tool writes its report at the interpreter's exit: let it happen.
    watched = sys.gettrace() is not None or sys.getprofile() is not None
    return leave_now(code) if own_process and not watched else code


def hold_collector() -> Callable[[], None]:
    """Hold Python's cyclic garbage collector off until the first page is painted; returns the
    release (idempotent).

    Start-up creates ~120,000 long-lived objects (modules, classes, Qt enums, widgets) and hardly
    any garbage, yet the collector ran ~170 times on the way to the first page, each pass over
    every object so far: ~30 ms of the ~0.55 s. The release collects once (the few cycles start-up
    left, after the first paint), moves what remains to the permanent generation (``gc.freeze``:
    later collections, while the user works, no longer walk the start-up objects) and switches
    the collector back on. The price: a start-up object that much later ends in an unreachable
    cycle (a page rebuilt after a switch of environment) is never collected, a bounded, one-off
    amount. If the collector was already off, nothing is held or released.
    """
    if not gc.isenabled():
        return lambda: None
    gc.disable()
    released = False

    def release() -> None:
        nonlocal released
        if released:
            return
        released = True
        gc.collect()
        gc.freeze()
        gc.enable()

    return release


def spawn_demo_sandbox(args: argparse.Namespace) -> LocalSandbox | None:
    """With ``--demo``, the bundled sandbox's child is forked first of all: it needs ~0.35 s of
    CPU to be ready, on the other core while this process imports Qt and the layers and shows
    its window. ``Desktop`` adopts it (a ``LocalSandbox``); None without ``--demo``."""
    if not args.demo:
        return None
    from photon_desktop.local_sandbox import LocalSandbox

    sandbox = LocalSandbox(seed=args.seed, patients=args.patients)
    sandbox.spawn()
    return sandbox


class Frame:
    """The themed, shown window frame and when it was shown (seconds from process creation)."""

    def __init__(
        self, window: Any, theme: Any, process_s: float, shown_s: float, shown_clock: float
    ) -> None:
        self.window = window
        self.theme = theme
        self.process_s = process_s
        self.shown_s = shown_s
        self.shown_clock = shown_clock  # the same moment on the monotonic clock


def show_frame(app: Any, process_s: float) -> Frame:
    """Theme the app with the saved colour scheme, show the main window's frame and paint it,
    from PySide6 and Qt-only modules: the layers, msgspec and httpx are imported after it."""
    from photon_desktop.ui.common.theme import Theme
    from photon_desktop.ui.common.window_preferences import THEME
    from photon_desktop.ui.main_window import MainWindow

    scheme = THEME.get()
    theme = Theme(app, forced=None if scheme == "system" else scheme)
    window = MainWindow()
    window.show()
    app.processEvents()  # the first paint
    shown_clock = time.monotonic()
    shown_s = process_age()
    log.info("window shown")
    return Frame(window, theme, process_s, shown_s, shown_clock)


#: What the first screen needs below the ``ui`` layer (the rest comes with these).
BELOW_THE_UI = (
    "photon_desktop.services",
    "photon_desktop.services.credentials",
    "photon_desktop.services.diagnostics",
    "photon_desktop.services.locations",
    "photon_desktop.services.notifications",
    "photon_desktop.services.order_watcher",
    "photon_desktop.services.screen_lock",
    "photon_desktop.services.signin",
    "photon_desktop.services.treatment_search",
    "photon_desktop.services.worklist",
    "photon_desktop.auth.session",
    "photon_desktop.local_sandbox",
    "photon_desktop.domain.phones",
)


#: ``auth.environments.LOCAL_SANDBOX.key``, named here: the auth layer comes after the frame.
LOCAL_KEY = "local"


def start_environment(args: argparse.Namespace) -> str | None:
    """The environment start-up opens: the bundled sandbox with ``--demo``, else
    ``--environment``, else the last one used; None on a first launch (the welcome page)."""
    if args.demo:
        return LOCAL_KEY
    from photon_desktop.ui.common.window_preferences import LAST_ENVIRONMENT

    return args.environment or LAST_ENVIRONMENT.get() or None


def opens_over_https(args: argparse.Namespace) -> bool:
    """Whether the environment start-up opens is Photon's or the user's own (reached over https),
    not the bundled sandbox (plain http on loopback) nor none yet (the welcome page)."""
    return start_environment(args) not in (None, LOCAL_KEY)


def import_below_the_ui(*, load_trust: bool) -> None:
    """Import the Qt-free layers the window needs (once its frame is shown: ``show_frame``);
    with ``load_trust``, load the trusted certificates meanwhile (``api.tls``: in C, without the
    GIL, on the other core), since the first request will need them.

    PySide6 is imported by then: ``ui.common.feature_check`` keeps its ``__feature__`` check from
    holding the source of every module imported after it.
    """
    import importlib

    if load_trust:
        from photon_desktop.api import tls

        tls.start_loading()
    for name in BELOW_THE_UI:
        importlib.import_module(name)


def leave_now(code: int) -> int:
    """End the process as soon as ``run`` has cleaned up (clients closed, sandbox child stopped,
    settings written): flush what is buffered and skip the interpreter's teardown of every module
    and Qt object, which took ~0.15 s after the window had closed and saves nothing.
    """
    logging.shutdown()  # flushes and closes the log file
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def check(argv: list[str]) -> int:
    """``photon-desktop check``: no window, the saved settings read where the app keeps them."""
    from PySide6.QtCore import QSettings

    from photon_desktop import check as diagnosis
    from photon_desktop.desktop import QtSettingsStore

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    redact.install()
    return diagnosis.main(argv, QtSettingsStore(QSettings(ORG_NAME, APP_NAME)))


QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def on_quit_signals(handler: Callable[[int], None]) -> Callable[[], None]:
    """Call ``handler(signum)`` promptly on SIGTERM or SIGINT, even while Qt sleeps.

    A Python signal handler only runs when the interpreter next gets control, and an idle Qt loop
    never hands it over. ``signal.set_wakeup_fd`` makes the signal write a byte to a socket that
    a ``QSocketNotifier`` watches: Qt wakes, Python runs the handler. Returns the undo.
    """
    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous = {signum: signal.signal(signum, lambda n, _f: handler(n)) for signum in QUIT_SIGNALS}
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

    def drain() -> None:
        try:
            while reader.recv(64):
                pass
        except BlockingIOError:
            pass

    notifier.activated.connect(drain)

    def undo() -> None:
        notifier.setEnabled(False)
        signal.set_wakeup_fd(previous_fd)
        for signum, old in previous.items():
            signal.signal(signum, old)
        reader.close()
        writer.close()

    return undo


async def run(
    app: object,
    args: argparse.Namespace,
    frame: Frame | None = None,
    sandbox: LocalSandbox | None = None,
    release_collector: Callable[[], None] | None = None,
    instance: Instance | None = None,
) -> int:
    """Finish the shown frame (``show_frame``, here if not given) inside the loop, run until the
    window closes, then clean up while the loop runs. ``release_collector`` (``hold_collector``)
    runs once the first page is painted, start-up lands elsewhere, or at the latest after
    ``COLLECTOR_HELD_AT_MOST_S``; ``instance`` (``ui.single_instance``) starts answering later
    launches then too, and is released first when the window closes."""
    import asyncio

    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    created = time.monotonic() - process_age()  # process creation on the monotonic clock
    frame = frame or show_frame(app, process_age())
    timings = {
        "process_s": frame.process_s,
        "window_shown_s": frame.shown_s,
        "window_shown_clock": frame.shown_clock,
    }

    from photon_desktop.desktop import Desktop, add_welcome, build_window
    from photon_desktop.errors import PhotonError

    desktop = Desktop(demo_patients=args.patients, seed=args.seed, sandbox=sandbox)
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    main_task = asyncio.current_task()
    assert main_task is not None
    quit_signal: list[int] = []

    def quit_now(signum: int) -> None:
        # Waiting for the window: end that wait; still starting up: cancel the start-up. Either
        # way ``finally`` closes the clients and stops the sandbox child.
        quit_signal.append(signum)
        if closed.is_set() or waiting_for_close:
            closed.set()
        else:
            main_task.cancel()

    waiting_for_close = False
    restore_signals = on_quit_signals(quit_now)
    release = release_collector or (lambda: None)

    def started_up() -> None:
        # What start-up put off until the first page: the collector, (``--demo``) the keyring
        # probe, which only the Settings pane's notice is waiting for, and later launches'
        # requests for the window (QtNetwork: ~8 ms).
        release()
        desktop.probe_keyring()
        if instance is not None:
            instance.listen(window)

    loop = asyncio.get_running_loop()
    latest_release = loop.call_later(COLLECTOR_HELD_AT_MOST_S, started_up)
    try:
        # The sandbox child starts now and runs while the window is built, the keyring probe
        # right after it; the window shows "Connecting…" until the environment answers.
        key = start_environment(args)
        desktop.start(key, probe_keyring=not args.demo)
        window = build_window(desktop, frame.window)
        frame.theme.changed.connect(window.on_theme_changed)
        first_page: asyncio.Future[tuple[float, float]] = loop.create_future()

        def painted() -> None:
            if not first_page.done():
                # When painted, not when awaited: what runs in between (``started_up``'s keyring
                # probe, in its thread) is after the first page.
                first_page.set_result((time.monotonic(), peak_rss_mb()))
                loop.call_soon(started_up)  # after this paint, not before it

        window.patients_page_shown.connect(painted)
        if key is None:
            add_welcome(desktop, window)
        elif args.demo:
            window.land_on("patients")
        if key is not None:
            desktop.prepare_first_requests()
        if args.demo:
            window.statusBar().showMessage("Connecting…")
            await desktop.connect_demo()
            window.statusBar().clearMessage()
            window.land_on("patients")
        elif key is not None:
            await desktop.switch(window, key)
        if window.current_key != "patients":
            started_up()  # no first page of patients to wait for
        if args.smoke:
            return await smoke(window, first_page, args.smoke, created, timings)
        waiting_for_close = True
        await closed.wait()
        if quit_signal:
            log.info("stopping on %s", signal.Signals(quit_signal[0]).name)
            return 128 + quit_signal[0]
        return 0
    except PhotonError as error:
        log.error("%s", error)
        print(f"photon-desktop: {error}", file=sys.stderr)
        return 1
    except asyncio.CancelledError:
        if not quit_signal:
            raise
        main_task.uncancel()
        log.info("stopping on %s during start-up", signal.Signals(quit_signal[0]).name)
        return 128 + quit_signal[0]
    finally:
        if instance is not None:  # a launch from now on runs on its own
            instance.release()
        latest_release.cancel()
        release()
        restore_signals()
        await desktop.aclose()


async def smoke(
    window: Any,
    first_page: asyncio.Future[tuple[float, float]],
    path: Path,
    created: float,
    timings: dict[str, float],
) -> int:
    """Wait for the first page (the patient list: painted with rows), screenshot the window, print
    the timings (see the module's docstring)."""
    import asyncio

    if window.current_key == "patients":
        painted_at, peak_mb = await asyncio.wait_for(first_page, SMOKE_TIMEOUT_S)
    else:
        await asyncio.sleep(0)  # one loop turn: the shown window's first paint
        painted_at, peak_mb = time.monotonic(), peak_rss_mb()
    timings["first_page_s"] = painted_at - created
    timings["first_page_clock"] = painted_at
    timings["peak_rss_mb"] = peak_mb
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        print(f"photon-desktop: could not save the screenshot to {path}", file=sys.stderr)
        return 1
    print(json.dumps({key: round(value, 4) for key, value in timings.items()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
