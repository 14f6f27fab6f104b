"""Keyring access: a real-looking store, no store at all, locked, hanging, breaking at run time."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from auth_fakes import BreaksLaterKeyring, HangingKeyring, LockedKeyring, MemoryKeyring

from photon_desktop.auth.secret_store import (
    NO_KEYRING_NOTICE,
    SecretStore,
    insecure_reason,
    m2m_secret_user,
    refresh_token_user,
    service_name,
)

Run = Callable[..., Any]


def test_entries_are_named_per_environment() -> None:
    assert service_name("sandbox") == "photon-desktop:sandbox"
    assert m2m_secret_user("abc") == "m2m-client-secret:abc"
    assert refresh_token_user("xyz") == "refresh-token:xyz"


def test_secure_backend_stores_reads_and_deletes(arun: Run) -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend)

    async def go() -> None:
        assert await store.probe()
        assert await store.set("sandbox", "refresh-token:n", "rt-1") is True
        assert backend.entries[("photon-desktop:sandbox", "refresh-token:n")] == "rt-1"
        assert await store.get("sandbox", "refresh-token:n") == "rt-1"
        assert await store.get("production", "refresh-token:n") is None
        await store.delete("sandbox", "refresh-token:n")
        await store.delete("sandbox", "refresh-token:n")  # already gone: not an error
        assert backend.entries == {}

    arun(go())
    assert store.usable and store.notice is None


def test_fail_and_null_backends_mean_session_only_with_a_notice(arun: Run) -> None:
    for backend in (keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()):
        store = SecretStore(backend)

        async def go(store: SecretStore = store) -> None:
            assert not await store.probe()
            assert await store.set("sandbox", "u", "secret") is False
            assert await store.get("sandbox", "u") == "secret"  # still usable this session
            await store.delete("sandbox", "u")
            assert await store.get("sandbox", "u") is None

        arun(go())
        assert store.notice.startswith(NO_KEYRING_NOTICE)


def test_plaintext_backends_are_never_used() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    assert insecure_reason(PlaintextKeyring()) is not None
    assert insecure_reason(MemoryKeyring()) is None


def test_plaintext_backend_receives_no_secret(arun: Run) -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    backend = PlaintextKeyring()
    store = SecretStore(backend)
    assert arun(store.set("sandbox", "u", "secret")) is False
    assert backend.entries == {} and backend.calls == 0
    assert store.notice.startswith(NO_KEYRING_NOTICE)


def test_locked_keyring_downgrades(arun: Run) -> None:
    store = SecretStore(LockedKeyring())
    assert arun(store.probe()) is False
    assert store.notice.startswith(NO_KEYRING_NOTICE)
    assert arun(store.set("sandbox", "u", "s")) is False
    assert arun(store.get("sandbox", "u")) == "s"


def test_hanging_keyring_times_out_without_blocking(arun: Run) -> None:
    backend = HangingKeyring()
    store = SecretStore(backend, timeout=0.3)
    try:
        assert arun(store.probe(), timeout=5) is False
        assert store.notice.startswith(NO_KEYRING_NOTICE)
        assert arun(store.set("sandbox", "u", "s")) is False  # no second wait
    finally:
        backend.release.set()


def test_runtime_failure_keeps_the_secret_for_the_session(arun: Run) -> None:
    backend = BreaksLaterKeyring()
    store = SecretStore(backend)
    assert arun(store.probe())
    backend.broken = True
    assert arun(store.set("sandbox", "u", "s")) is False
    assert arun(store.get("sandbox", "u")) == "s"
    assert not store.usable and store.notice is not None
    assert store.notice.startswith("The keyring stopped working during this session")
    assert "You stay signed in" in store.notice


def test_an_unknown_backend_in_the_environment_never_crashes_start_up(
    arun: Run, monkeypatch: Any
) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module.NoSuchKeyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # not chosen yet
    store = SecretStore(timeout=2)
    assert arun(store.probe()) is False
    assert store.notice is not None and "could not be loaded" in store.notice
    assert arun(store.set("sandbox", "u", "s")) is False  # session-only, no crash
    assert arun(store.get("sandbox", "u")) == "s"


class _SecretServiceLike(MemoryKeyring):
    priority = 5  # type: ignore[assignment]


_SecretServiceLike.__module__ = "keyring.backends.SecretService"


class _AltPlaintext(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


_AltPlaintext.__module__ = "keyrings.alt.file"


class Vault(MemoryKeyring):
    """A plaintext file store with a neutral name (and a high priority)."""

    priority = 9  # type: ignore[assignment]
    file_path = "/home/me/.local/share/vault.cfg"


class _Chainer(MemoryKeyring):
    def __init__(self, *backends: MemoryKeyring) -> None:
        super().__init__()
        self.backends = list(backends)


def test_the_decision_is_made_on_the_backend_really_chosen() -> None:
    # An unlocked Secret Service first in a chainer, keyrings.alt importable after it: accepted.
    assert insecure_reason(_Chainer(_SecretServiceLike(), _AltPlaintext())) is None
    # The chainer writes to its first backend: plaintext first is refused, naming it.
    reason = insecure_reason(_Chainer(_AltPlaintext(), _SecretServiceLike()))
    assert reason and "_AltPlaintext (keyrings.alt.file)" in reason
    # A file store is refused whatever its name; so is what keyring rates "not recommended".
    vault = insecure_reason(Vault())
    assert vault and "Vault" in vault and "file" in vault

    class Weak(MemoryKeyring):
        priority = 0.2  # type: ignore[assignment]

    weak = insecure_reason(Weak())
    assert weak and "not recommended" in weak
    assert insecure_reason(_Chainer()) == "no keyring backend is available"


def test_the_notice_names_the_refused_backend(arun: Run) -> None:
    store = SecretStore(Vault())
    assert arun(store.probe()) is False
    assert store.notice and "Vault (test_secret_store)" in store.notice
    assert store.backend_name == "Vault (test_secret_store)"


@pytest.mark.skipif(sys.platform == "darwin", reason="on macOS its Keychain backend is the one")
def test_finding_the_backend_runs_no_compiler_and_picks_what_keyring_would() -> None:
    """keyring's discovery, left alone, imports its macOS backend's helper everywhere, and on
    Linux that helper runs ldconfig and gcc to look for Apple's frameworks. The store's module
    stops that import; the backend found must be the one keyring finds without it."""
    probe = (
        "import json, subprocess, sys\n"
        "{setup}\n"
        "runs = []\n"
        "real = subprocess.Popen.__init__\n"
        "def watched(self, args, *a, **k):\n"
        "    runs.append(str(args))\n"
        "    real(self, args, *a, **k)\n"
        "subprocess.Popen.__init__ = watched\n"
        "import keyring\n"
        "backend = keyring.get_keyring()\n"
        "print(json.dumps([type(backend).__module__, type(backend).__name__, runs]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}

    def run(setup: str) -> list[Any]:
        done = subprocess.run(
            [sys.executable, "-c", probe.format(setup=setup)],
            capture_output=True, text=True, timeout=60, check=True, env=env,
        )  # fmt: skip
        return list(json.loads(done.stdout.splitlines()[-1]))

    guarded = run("import photon_desktop.auth.secret_store")
    plain = run("")
    assert guarded[2] == []  # no process started
    assert guarded[:2] == plain[:2]
    if sys.platform.startswith("linux"):
        assert plain[2]  # the check can see the processes it is about


def test_the_backend_is_chosen_and_judged_off_the_ui_thread(
    arun: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyring's discovery and a backend's priority talk to D-Bus on a desktop: a bus that does
    not answer ends the probe after the time limit instead of freezing the window meanwhile."""
    release = threading.Event()
    asked_on: list[str] = []

    class SlowToJudge(MemoryKeyring):
        @property
        def priority(self) -> float:  # type: ignore[override]
            asked_on.append(threading.current_thread().name)
            release.wait(30)
            return 5.0

    monkeypatch.setattr(keyring, "get_keyring", lambda: SlowToJudge())
    store = SecretStore(timeout=0.3)
    ticks: list[float] = []

    async def go() -> bool:
        async def tick() -> None:
            while True:
                ticks.append(asyncio.get_running_loop().time())
                await asyncio.sleep(0.02)

        ticker = asyncio.ensure_future(tick())
        try:
            return await store.probe()
        finally:
            ticker.cancel()

    try:
        assert arun(go()) is False
    finally:
        release.set()
    assert asked_on and "MainThread" not in asked_on
    assert len(ticks) >= 5  # the loop kept running while the priority was being read
    assert store.notice is not None and "did not answer" in store.notice
