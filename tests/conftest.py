"""Shared fixtures: a real local Photon sandbox (``python -m photon_desktop.sandbox``) over HTTP.

``sandbox`` is one process for the whole session (seed 1, 200 patients); faults a test injects
are cleared after it. ``fresh_sandbox(*args)`` starts a private one with other options (e.g. a
short ``--token-ttl``) and stops it after the test. Both check the process exits 0 on SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import child_process
import httpx
import pytest
from oauth_support import form_action, pkce_challenge, transaction_id
from qasync_helpers import run_on_qasync

START_TIMEOUT_S = 30.0
LOOPBACK_REDIRECT = "http://127.0.0.1:53682/callback"
USER_SCOPE = "openid profile email offline_access"


class SandboxStartError(RuntimeError):
    pass


@dataclass(eq=False)
class SandboxInfo:
    """A running sandbox: what it announced, plus helpers for tests."""

    raw: dict[str, Any] = field(repr=False)  # holds this run's secrets
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]
    _http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))
    _stderr_text: str | None = None

    def __getattr__(self, name: str) -> Any:  # issuer, token_url, graphql_url, org_id, ...
        if name.startswith("_") or name == "raw":
            raise AttributeError(name)
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def m2m_client_id(self) -> str:
        return str(self.raw["m2m"]["client_id"])

    @property
    def m2m_client_secret(self) -> str:
        return str(self.raw["m2m"]["client_secret"])

    @property
    def base_url(self) -> str:
        return str(self.raw["issuer"]).rstrip("/")

    # -- admin --------------------------------------------------------------------------------

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """Call ``/admin/<path>`` with this run's admin key."""
        url = self.raw["admin_url"] + "/" + path.lstrip("/")
        return self._http.request(
            method, url, json=json, headers={"X-Sandbox-Admin": self.raw["admin_key"]}
        )

    def set_faults(self, **settings: Any) -> None:
        response = self.admin("PUT", "faults", settings)
        assert response.status_code == 200, response.text

    def fail_next(self, *faults: dict[str, Any]) -> None:
        response = self.admin("POST", "faults/next", {"faults": list(faults)})
        assert response.status_code == 200, response.text

    def reset_faults(self) -> None:
        self.set_faults()

    def stats(self) -> dict[str, Any]:
        response = self.admin("GET", "stats")
        response.raise_for_status()
        return dict(response.json())

    # -- tokens -------------------------------------------------------------------------------

    def m2m_token(self) -> str:
        """A client-credentials access token, exactly as Photon's docs request one."""
        response = self._http.post(
            self.raw["token_url"],
            json={
                "client_id": self.m2m_client_id,
                "client_secret": self.m2m_client_secret,
                "audience": self.raw["audience"],
                "grant_type": "client_credentials",
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def sign_in(self, email: str, *, scope: str = USER_SCOPE, nonce: str | None = None) -> dict:
        """Authorization code + PKCE as a headless browser would: the token endpoint's answer."""
        verifier = secrets.token_urlsafe(48)
        code = self.authorize_code(email, verifier=verifier, scope=scope, nonce=nonce)
        response = self._http.post(
            self.raw["token_url"],
            data={
                "grant_type": "authorization_code",
                "client_id": self.raw["native_client_id"],
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": LOOPBACK_REDIRECT,
            },
        )
        response.raise_for_status()
        return dict(response.json())

    def user_token(self, email: str) -> str:
        return str(self.sign_in(email)["access_token"])

    def authorize_code(
        self,
        email: str,
        *,
        verifier: str,
        scope: str = USER_SCOPE,
        nonce: str | None = None,
        redirect_uri: str = LOOPBACK_REDIRECT,
    ) -> str:
        """Drive ``/authorize`` for ``email`` and return the code from the redirect."""
        state = secrets.token_urlsafe(16)
        params = {
            "client_id": self.raw["native_client_id"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
            "state": state,
            "audience": self.raw["audience"],
            "scope": scope,
            "login_hint": email,
        }
        if nonce:
            params["nonce"] = nonce
        page = self._http.get(self.raw["authorize_url"], params=params)
        assert page.status_code == 200, page.text
        decision = self._http.post(
            self.base_url + form_action(page.text),
            data={"transaction": transaction_id(page.text), "user": email, "action": "continue"},
        )
        assert decision.status_code in (302, 303), decision.text
        query = parse_qs(urlsplit(decision.headers["location"]).query)
        assert query["state"] == [state]
        return query["code"][0]

    # -- lifecycle ----------------------------------------------------------------------------

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process and wait for it; the exit code."""
        self._http.close()
        return child_process.stop(self.process, sig)

    def stderr_text(self) -> str:
        """Everything the process logged (readable after ``stop()`` too)."""
        if self._stderr_text is None:
            self.stderr.seek(0)
            text = self.stderr.read().decode("utf-8", "replace")
            if self.process.poll() is None:
                return text
            self._stderr_text = text
            self.stderr.close()
        return self._stderr_text


def start_sandbox(*args: str, patients: int = 200) -> SandboxInfo:
    """Start ``python -m photon_desktop.sandbox`` and wait for its JSON line."""
    command = [
        sys.executable, "-m", "photon_desktop.sandbox",
        "--port", "0", "--seed", "1", "--patients", str(patients), *args,
    ]  # fmt: skip
    process, stderr, raw = child_process.start(command, START_TIMEOUT_S, SandboxStartError)
    return SandboxInfo(raw=raw, process=process, stderr=stderr)


T = TypeVar("T")


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxInfo]:
    info = start_sandbox()
    yield info
    code = info.stop()
    assert code == 0, info.stderr_text()
    info.stderr_text()  # closes the log file


@pytest.fixture
def fresh_sandbox() -> Iterator[Callable[..., SandboxInfo]]:
    started: list[SandboxInfo] = []

    def factory(*args: str, patients: int = 200) -> SandboxInfo:
        info = start_sandbox(*args, patients=patients)
        started.append(info)
        return info

    yield factory
    codes = [(info.stop(), info.stderr_text()) for info in started]
    for code, log in codes:
        assert code == 0, log


@pytest.fixture(autouse=True)
def _clean_shared_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that changed the shared sandbox's faults or clock speed leaves them as found."""
    info = request.getfixturevalue("sandbox") if "sandbox" in request.fixturenames else None
    yield
    if info is not None and info.process.poll() is None:
        info.reset_faults()
        info.admin("PUT", "clock", {"speed": 1.0})


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, T]], T]:
    """``run(coro)``: a layer below the UI, on a fresh plain asyncio loop (10 s guard)."""

    def runner(coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        async def guarded() -> T:
            return await asyncio.wait_for(coro, timeout)

        return asyncio.run(guarded())

    return runner


@pytest.fixture
def arun(qapp: Any) -> Callable[..., Any]:
    """``arun(coro)``: drive a scenario on a fresh qasync loop, as the app runs (stack guide §4)."""

    def go(coro: Coroutine[Any, Any, Any], timeout: float = 60.0) -> Any:
        return run_on_qasync(qapp, coro, timeout)

    return go


@pytest.fixture
def root_logging() -> Iterator[logging.Logger]:
    """The root logger's handlers and level put back as found (``logs.configure`` adds
    handlers, and a file handler left behind would write into the next test's log)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
