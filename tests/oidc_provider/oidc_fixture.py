"""A certified OpenID provider (panva's ``oidc-provider``, Node) as a pytest plugin.

The app must work with any standards-conformant provider, so its tests need one nobody here wrote,
running as a real process on loopback. ``provider.mjs`` beside this file configures it; this module
installs its locked npm dependencies into a cache, starts it on a free port and stops it.

Fixtures
--------
``oidc_provider`` (session scope) -> :class:`OidcProvider`, issuer ``http://127.0.0.1:<port>``.
``oidc_provider_factory`` (function scope) -> ``start(*args) -> OidcProvider`` for a private one,
e.g. ``start("--issuer-path", "/tenant/")`` or ``start("--access-token-ttl", "5")``; stopped after
the test. Both assert the process exits 0 on SIGTERM.

What an :class:`OidcProvider` offers (all from the provider's own ready line, nothing guessed):

- ``issuer``, ``port``, ``discovery_url``, ``discovery()`` (the parsed document: take endpoints
  from it, never build them by hand).
- ``resource`` (``https://api.sandbox.local``) and ``scopes`` (Photon's six). Access tokens are
  RS256 JWTs (``typ`` ``at+jwt``, ``aud`` = resource) only when the client names the resource
  (RFC 8707 ``resource``) on the authorization request and on every token request (code and
  refresh alike); otherwise, when ``openid`` was asked for, oidc-provider issues an opaque token
  meant for its userinfo endpoint.
- ``native_client_id``: public client, authorization code + PKCE S256 required, refresh tokens
  rotate on every use (a replayed one revokes the whole grant), redirect
  ``http://127.0.0.1/callback`` on any port (RFC 8252 7.3). ``offline_access`` is honoured only
  with ``prompt=consent``. Authorization responses carry ``iss`` (RFC 9207).
- ``m2m_client_id``/``m2m_client_secret`` (``client_secret_post``) and ``m2m_basic_client_id``
  (``client_secret_basic``, same secret): ``client_credentials`` with ``resource`` and ``scope``;
  granted at most ``m2m_scopes`` (no ``write:prescription``, as at Photon). Token requests are
  form-encoded (RFC 6749 4.1.3); a JSON body is refused.
- ``prescriber`` and ``staff``: logins of the two accounts (``account_scopes[login]`` tells what
  each may get; staff lacks ``write:prescription``). ``password`` is any non-empty text: the
  library's development login page checks no password.
- ``sign_in_with_browser(url, login)``: opens an authorization URL in real headless Chromium,
  fills the login page and presses Continue on the consent page, and returns the URL the browser
  was finally sent to (the client's redirect URI with ``code``, ``state``, ``iss`` or ``error``).
  Something must answer on that redirect URI (the app's loopback receiver, or a test's).

Use from another test folder: pytest accepts ``pytest_plugins`` only in the top-level conftest, so
either add ``tests/oidc_provider`` to ``sys.path`` there and list ``"oidc_fixture"`` in its
``pytest_plugins``, or import the fixtures into the folder's conftest as
``tests/oidc_provider/conftest.py`` does.

Needs ``node`` (>= 20.19) and ``npm`` on PATH. ``npm ci --prefer-offline`` runs once per
``package-lock.json`` into ``$PHOTON_TEST_CACHE`` (default ``~/.cache/photon-desktop-tests``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import child_process
import httpx
import pytest

HERE = Path(__file__).resolve().parent
START_TIMEOUT_S = 30.0
NPM_TIMEOUT_S = 300.0
MIN_NODE = (20, 19)  # package.json's engines
PASSWORD = "any password"  # the development login page checks none
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
BROWSER_TIMEOUT_MS = 20_000
MAX_PAGES = 4


class OidcProviderError(RuntimeError):
    """The provider could not be installed or started; the message holds its output."""


@dataclass(eq=False)
class OidcProvider:
    """A running ``provider.mjs``: what it announced, and its process."""

    raw: dict[str, Any] = field(repr=False)  # holds this run's client secret
    process: subprocess.Popen[bytes] = field(repr=False)
    log: IO[bytes] = field(repr=False)
    password: str = PASSWORD

    @property
    def issuer(self) -> str:
        return str(self.raw["issuer"])

    @property
    def port(self) -> int:
        return int(self.raw["port"])

    @property
    def discovery_url(self) -> str:
        """OpenID Connect Discovery 1.0 section 4: the issuer without its trailing slash + path."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def discovery(self) -> dict[str, Any]:
        response = httpx.get(self.discovery_url, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    @property
    def resource(self) -> str:
        return str(self.raw["resource"])

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.raw["scopes"])

    @property
    def native_client_id(self) -> str:
        return str(self.raw["native_client_id"])

    @property
    def m2m_client_id(self) -> str:
        return str(self.raw["m2m"]["client_secret_post"]["client_id"])

    @property
    def m2m_basic_client_id(self) -> str:
        return str(self.raw["m2m"]["client_secret_basic"]["client_id"])

    @property
    def m2m_client_secret(self) -> str:
        return str(self.raw["m2m"]["client_secret_post"]["client_secret"])

    @property
    def m2m_scopes(self) -> tuple[str, ...]:
        return tuple(self.raw["m2m"]["scopes"])

    @property
    def account_scopes(self) -> dict[str, tuple[str, ...]]:
        return {login: tuple(a["scopes"]) for login, a in self.raw["accounts"].items()}

    @property
    def prescriber(self) -> str:
        return self._login("prescriber@")

    @property
    def staff(self) -> str:
        return self._login("staff@")

    def _login(self, prefix: str) -> str:
        return next(login for login in self.raw["accounts"] if login.startswith(prefix))

    def sign_in_with_browser(
        self, url: str, login: str, *, password: str = PASSWORD, profile_dir: str | None = None
    ) -> str:
        """Complete the provider's login and consent pages in headless Chromium for ``url``."""
        from playwright.sync_api import sync_playwright

        issuer_origin = f"http://127.0.0.1:{self.port}/"
        with tempfile.TemporaryDirectory(prefix="chromium-") as scratch:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    profile_dir or scratch,
                    executable_path="/usr/bin/chromium",
                    headless=True,
                    args=CHROMIUM_ARGS,
                )
                try:
                    page = context.new_page()
                    page.goto(url, wait_until="load", timeout=BROWSER_TIMEOUT_MS)
                    for _ in range(MAX_PAGES):  # login, consent; an unknown login loops
                        if not page.url.startswith(issuer_origin):
                            break
                        prompt = page.locator('input[name="prompt"]')
                        if prompt.count() == 0:
                            break  # an error page of the provider's: nothing to press
                        if prompt.get_attribute("value") == "login":
                            page.fill('input[name="login"]', login)
                            page.fill('input[name="password"]', password)
                        with page.expect_navigation(timeout=BROWSER_TIMEOUT_MS):
                            page.click('button[type="submit"]')
                        page.wait_for_load_state("load")
                    return page.url
                finally:
                    context.close()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process and wait for it; the exit code."""
        return child_process.stop(self.process, sig)

    def log_text(self) -> str:
        """What the process wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")


def cache_root() -> Path:
    xdg_cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return Path(os.environ.get("PHOTON_TEST_CACHE", xdg_cache / "photon-desktop-tests"))


def installed_project() -> Path:
    """A directory holding ``provider.mjs`` and its ``node_modules``, installed by ``npm ci``."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise OidcProviderError(f"{tool} is not on PATH: install Node.js 20 and npm")
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if tuple(int(part) for part in version.lstrip("v").split(".")[:2]) < MIN_NODE:
        raise OidcProviderError(f"oidc-provider 9 needs Node.js >= 20.19; this is {version}")
    lock = (HERE / "package-lock.json").read_bytes()
    manifest = (HERE / "package.json").read_bytes()
    digest = hashlib.sha256(manifest + b"\0" + lock).hexdigest()[:16]
    project = cache_root() / f"oidc-provider-{digest}"
    project.mkdir(parents=True, exist_ok=True)
    with open(project / ".lock", "wb") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # one npm ci at a time for this lock file
        if not (project / ".installed").exists():
            (project / "package.json").write_bytes(manifest)
            (project / "package-lock.json").write_bytes(lock)
            done = subprocess.run(
                ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=project,
                capture_output=True,
                timeout=NPM_TIMEOUT_S,
                check=False,
            )
            if done.returncode != 0:
                output = (done.stdout + done.stderr).decode("utf-8", "replace")
                raise OidcProviderError(f"npm ci failed ({done.returncode}):\n{output}")
            (project / ".installed").touch()
        # The script must sit beside node_modules for Node to resolve 'oidc-provider'; named by
        # content so that two checkouts sharing the cache never run each other's copy.
        source = (HERE / "provider.mjs").read_bytes()
        script = project / f"provider-{hashlib.sha256(source).hexdigest()[:16]}.mjs"
        if not script.exists():
            script.write_bytes(source)
    return script


def start_oidc_provider(*args: str) -> OidcProvider:
    """Start ``node provider.mjs --port 0 *args`` and wait for its JSON line."""
    script = installed_project()
    process, log, raw = child_process.start(
        ["node", str(script), "--port", "0", *args],
        START_TIMEOUT_S,
        OidcProviderError,
        stdin=subprocess.PIPE,  # the provider exits when this closes, e.g. if pytest dies
        cwd=script.parent,
    )
    return OidcProvider(raw=raw, process=process, log=log)


def _stop_all(started: list[OidcProvider]) -> None:
    outcomes = [(provider.stop(), provider.log_text()) for provider in started]
    for provider in started:
        provider.log.close()
    for code, log in outcomes:
        assert code == 0, log


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    provider = start_oidc_provider()
    yield provider
    _stop_all([provider])


@pytest.fixture
def oidc_provider_factory() -> Iterator[Callable[..., OidcProvider]]:
    started: list[OidcProvider] = []

    def start(*args: str) -> OidcProvider:
        provider = start_oidc_provider(*args)
        started.append(provider)
        return provider

    yield start
    _stop_all(started)
