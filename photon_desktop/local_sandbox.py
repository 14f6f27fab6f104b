"""Run the bundled Photon sandbox as a child process, so the app works with no account and offline.

The child prints one JSON line when ready (see ``photon_desktop.sandbox.cli``); we read it with a
``QProcess`` on the Qt event loop, so starting never blocks the window. The M2M secret it prints is
kept in memory only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, QProcess

from photon_desktop.auth.environments import LOCAL_SANDBOX, Environment
from photon_desktop.errors import ConfigurationError

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0


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


class LocalSandbox(QObject):
    """One ``photon-sandbox`` child process: ``await start()``, then ``stop()`` on exit."""

    def __init__(self, *, seed: int = 1, patients: int = 200, extra_args: tuple[str, ...] = ()):
        super().__init__()
        self._args = [
            "-m", "photon_desktop.sandbox",
            "--host", "127.0.0.1", "--port", "0",
            "--seed", str(seed), "--patients", str(patients),
            *extra_args,
        ]  # fmt: skip
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._stdout = bytearray()
        self._stderr = bytearray()
        self._ready: asyncio.Future[SandboxInfo] | None = None
        self.info: SandboxInfo | None = None
        self._process.readyReadStandardOutput.connect(self._on_stdout)
        self._process.readyReadStandardError.connect(self._on_stderr)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)

    async def start(self) -> SandboxInfo:
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._process.start(sys.executable, self._args)
        try:
            self.info = await asyncio.wait_for(asyncio.shield(self._ready), START_TIMEOUT_S)
        except TimeoutError:
            self.stop()
            raise ConfigurationError(
                "The local sandbox did not start within a minute. " + self._stderr_tail()
            ) from None
        log.info("local sandbox ready at %s", self.info.graphql_url)
        return self.info

    def stop(self) -> None:
        """Ask the child to exit (SIGTERM) and wait briefly; kill it if it lingers."""
        if self._process.state() == QProcess.ProcessState.NotRunning:
            return
        self._process.terminate()
        if not self._process.waitForFinished(5000):
            self._process.kill()
            self._process.waitForFinished(2000)

    @property
    def running(self) -> bool:
        return self._process.state() == QProcess.ProcessState.Running

    def _stderr_tail(self) -> str:
        text = self._stderr.decode("utf-8", "replace").strip().splitlines()
        return ("Last output: " + " | ".join(text[-3:])) if text else ""

    def _on_stdout(self) -> None:
        self._stdout += self._process.readAllStandardOutput().data()
        if self._ready is None or self._ready.done() or b"\n" not in self._stdout:
            return
        line, _, rest = bytes(self._stdout).partition(b"\n")
        self._stdout = bytearray(rest)
        try:
            self._ready.set_result(SandboxInfo.from_line(line.decode()))
        except (ValueError, KeyError) as exc:
            self._ready.set_exception(
                ConfigurationError(f"The local sandbox answered something unexpected ({exc}).")
            )

    def _on_stderr(self) -> None:
        self._stderr += self._process.readAllStandardError().data()
        del self._stderr[:-8192]

    def _fail(self, message: str) -> None:
        if self._ready is not None and not self._ready.done():
            text = f"{message} {self._stderr_tail()}".strip()
            self._ready.set_exception(ConfigurationError(text))

    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._fail(f"The local sandbox stopped before it was ready (exit code {code}).")

    def _on_error(self, error: QProcess.ProcessError) -> None:
        self._fail(f"The local sandbox could not be started ({error.name}).")
