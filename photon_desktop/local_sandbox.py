"""Run the bundled Photon sandbox as a child process, so the app works with no account and offline.

The child prints one JSON line when ready (see ``photon_desktop.sandbox.cli``); its M2M secret is
kept in memory only. No Qt here: a plain ``subprocess`` with one thread per pipe and one that
waits for the exit, each handing its news to the asyncio loop, so this works under qasync and
under a bare ``asyncio.run`` alike, and nothing polls.

The child never outlives the app: it runs with ``--exit-with-parent`` and a stdin pipe only this
process holds, so when the app dies (even by ``kill -9``) the pipe closes and the child stops
(on Linux ``PR_SET_PDEATHSIG`` stops it too). The owner learns of an exit at once:
``await sandbox.exited`` or ``sandbox.add_exit_observer(callback)``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from photon_desktop.auth.environments import LOCAL_SANDBOX, Environment
from photon_desktop.errors import ConfigurationError

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
_STDERR_KEEP = 8192


@dataclass(frozen=True, slots=True, repr=False)
class SandboxInfo:
    """What the running sandbox announced. ``repr`` leaves the secret out."""

    issuer: str
    audience: str
    graphql_url: str
    m2m_client_id: str
    m2m_client_secret: str
    native_client_id: str
    org_id: str | None
    users: tuple[dict, ...]

    @classmethod
    def from_line(cls, line: str) -> SandboxInfo:
        data = json.loads(line)
        return cls(
            issuer=data["issuer"],
            audience=data["audience"],
            graphql_url=data["graphql_url"],
            m2m_client_id=data["m2m"]["client_id"],
            m2m_client_secret=data["m2m"]["client_secret"],
            native_client_id=data["native_client_id"],
            org_id=data.get("org_id"),
            users=tuple(data.get("users", ())),
        )

    @property
    def environment(self) -> Environment:
        return LOCAL_SANDBOX.with_endpoints(
            issuer=self.issuer, audience=self.audience, graphql_url=self.graphql_url
        )

    def __repr__(self) -> str:
        return f"SandboxInfo(issuer={self.issuer!r}, graphql_url={self.graphql_url!r})"


ExitObserver = Callable[[int], None]


def sandbox_command() -> list[str]:
    """How to run the bundled sandbox: a frozen app has no interpreter for ``-m``, so its own
    executable serves it (its entry point dispatches ``sandbox``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "sandbox"]
    return [sys.executable, "-m", "photon_desktop.sandbox"]


class LocalSandbox:
    """One ``photon-sandbox`` child: ``await start()``, ``await restart()``, ``stop()``.

    ``exited`` resolves with the exit code (negative: killed by that signal) whenever the child
    ends, asked to or not; observers are called with the same code on the loop's thread.
    """

    def __init__(
        self, *, seed: int = 1, patients: int = 200, extra_args: tuple[str, ...] = ()
    ) -> None:
        self._args = [
            *sandbox_command(),
            "--host", "127.0.0.1", "--port", "0",
            "--seed", str(seed), "--patients", str(patients),
            "--exit-with-parent",
            *extra_args,
        ]  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None
        self._spawned: subprocess.Popen[bytes] | None = None  # by ``spawn``, not yet adopted
        self._asked_to_stop: subprocess.Popen[bytes] | None = None  # SIGTERM sent already
        self._stderr = bytearray()
        self._stderr_lock = threading.Lock()
        self._ended = threading.Event()
        self._observers: list[ExitObserver] = []
        self._ready: asyncio.Future[SandboxInfo] | None = None  # the latest child's announcement
        self.exited: asyncio.Future[int] | None = None
        self.info: SandboxInfo | None = None

    # ------------------------------------------------------------ lifecycle

    def spawn(self) -> None:
        """Fork and exec the child now, before any event loop exists: ``--demo`` does this first
        of all, so the child starts up while the app imports its layers and builds its window.
        ``launch()`` or ``start()`` adopts it (and reports a failure to start it)."""
        if self._spawned is None and not self.running:
            with contextlib.suppress(ConfigurationError):  # launch() tries again and says so
                self._spawned = self._popen()

    def _popen(self) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                self._args,
                stdin=subprocess.PIPE,  # never written: its closing tells the child we are gone
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise ConfigurationError(f"The local sandbox could not be started ({exc}).") from None

    def launch(self) -> None:
        """Start the child now (fork and exec only, milliseconds), without waiting for it to be
        ready: the app launches it before building its window. ``await start()`` then waits for
        this child's announcement instead of starting another."""
        if self._ready is not None and not self._ready.done() and self.running:
            return  # launched, not ready yet
        if self.running:
            raise RuntimeError("the local sandbox is already running")
        import asyncio  # here: ``spawn`` runs before the app has imported it (~30 ms)

        loop = asyncio.get_running_loop()
        ready: asyncio.Future[SandboxInfo] = loop.create_future()
        exited: asyncio.Future[int] = loop.create_future()
        self.exited, self.info = exited, None
        self._stderr.clear()
        self._ended = threading.Event()
        spawned, self._spawned = self._spawned, None
        try:
            # Popen only forks and execs (milliseconds); all waiting happens in the threads.
            process = spawned or self._popen()
        except ConfigurationError:
            exited.set_result(-1)
            raise
        self._process = process
        # A failure is reported to whoever awaits start(); nobody may (the app is closing).
        ready.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._ready = ready
        assert process.stdout is not None and process.stderr is not None
        self._thread(self._read_stdout, process.stdout, loop, ready)
        self._thread(self._read_stderr, process.stderr)
        self._thread(self._wait, process, self._ended, loop, ready, exited)

    async def start(self) -> SandboxInfo:
        """Start the child (or take the one ``launch()`` began) and wait for its announcement
        (``ConfigurationError`` if it fails)."""
        self.launch()
        ready = self._ready
        assert ready is not None
        try:
            import asyncio

            self.info = await asyncio.wait_for(asyncio.shield(ready), START_TIMEOUT_S)
        except TimeoutError:
            self.stop()
            raise ConfigurationError(
                "The local sandbox did not start within a minute. " + self._stderr_tail()
            ) from None
        log.info("local sandbox ready at %s", self.info.graphql_url)
        return self.info

    async def restart(self) -> SandboxInfo:
        """A fresh child: new port, new data, new M2M secret and admin key."""
        self.stop()
        return await self.start()

    def request_stop(self) -> None:
        """Ask the child to exit (SIGTERM) without waiting: the app does its own closing while
        the child does its, then ``stop()`` waits for it."""
        process = self._process or self._spawned
        if process is not None and process.poll() is None:
            process.terminate()
            self._asked_to_stop = process

    def stop(self) -> None:
        """Ask the child to exit (SIGTERM) and wait briefly; kill it if it lingers. A child
        already asked (``request_stop``) is not asked again: a second signal while it ends is
        one more thing to get right there, and it says nothing the first did not."""
        spawned, self._spawned = self._spawned, None
        if spawned is not None:  # never adopted: nothing reads its pipes or waits for it here
            _end_spawned(spawned, asked=spawned is self._asked_to_stop)
        process = self._process
        if process is None or process.poll() is not None:
            return
        if process is not self._asked_to_stop:
            process.terminate()
        if not self._ended.wait(STOP_TIMEOUT_S):
            process.kill()
            self._ended.wait(STOP_TIMEOUT_S)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def add_exit_observer(self, observer: ExitObserver) -> None:
        """Call ``observer(exit_code)`` on the loop whenever a child of this object exits."""
        self._observers.append(observer)

    def remove_exit_observer(self, observer: ExitObserver) -> None:
        with contextlib.suppress(ValueError):
            self._observers.remove(observer)

    # ------------------------------------------------------------ pipes and exit

    @staticmethod
    def _thread(target: Callable[..., None], *args: object) -> None:
        threading.Thread(target=target, args=args, name="local-sandbox", daemon=True).start()

    def _read_stdout(
        self,
        stdout: IO[bytes],
        loop: asyncio.AbstractEventLoop,
        ready: asyncio.Future[SandboxInfo],
    ) -> None:
        line = stdout.readline()
        if line.strip():
            _call_soon(loop, self._announce, ready, line)
        while stdout.read(65536):  # keep draining so the child never blocks on a full pipe
            pass
        stdout.close()

    def _announce(self, ready: asyncio.Future[SandboxInfo], line: bytes) -> None:
        if ready.done():
            return
        try:
            ready.set_result(SandboxInfo.from_line(line.decode()))
        except (ValueError, KeyError) as exc:
            ready.set_exception(
                ConfigurationError(f"The local sandbox answered something unexpected ({exc}).")
            )

    def _read_stderr(self, stderr: IO[bytes]) -> None:
        while chunk := stderr.read1(65536):  # type: ignore[attr-defined]
            with self._stderr_lock:
                self._stderr += chunk
                del self._stderr[:-_STDERR_KEEP]
        stderr.close()

    def _wait(
        self,
        process: subprocess.Popen[bytes],
        ended: threading.Event,
        loop: asyncio.AbstractEventLoop,
        ready: asyncio.Future[SandboxInfo],
        exited: asyncio.Future[int],
    ) -> None:
        code = process.wait()
        if process.stdin is not None:
            process.stdin.close()
        ended.set()
        _call_soon(loop, self._on_exit, code, ready, exited)

    def _on_exit(
        self, code: int, ready: asyncio.Future[SandboxInfo], exited: asyncio.Future[int]
    ) -> None:
        if not ready.done():
            text = f"The local sandbox stopped before it was ready (exit code {code})."
            ready.set_exception(ConfigurationError(f"{text} {self._stderr_tail()}".strip()))
        if not exited.done():
            exited.set_result(code)
        level = logging.INFO if code == 0 else logging.WARNING
        log.log(level, "local sandbox exited with code %d", code)
        for observer in list(self._observers):
            try:
                observer(code)
            except Exception:
                log.exception("a local sandbox exit observer failed")

    def _stderr_tail(self) -> str:
        with self._stderr_lock:
            text = self._stderr.decode("utf-8", "replace").strip().splitlines()
        return ("Last output: " + " | ".join(text[-3:])) if text else ""


def _end_spawned(process: subprocess.Popen[bytes], *, asked: bool = False) -> None:
    if not asked:
        process.terminate()
    try:
        process.communicate(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def _call_soon(
    loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: object
) -> None:
    """Hand news from a pipe thread to the loop (dropped if the loop has already closed)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback, *args)
