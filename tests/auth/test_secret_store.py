"""Keyring access: a real-looking store, no store at all, locked, hanging, breaking at run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keyring.backends.fail
import keyring.backends.null
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
        assert store.notice == NO_KEYRING_NOTICE


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
    assert store.notice == NO_KEYRING_NOTICE


def test_locked_keyring_downgrades(arun: Run) -> None:
    store = SecretStore(LockedKeyring())
    assert arun(store.probe()) is False
    assert store.notice == NO_KEYRING_NOTICE
    assert arun(store.set("sandbox", "u", "s")) is False
    assert arun(store.get("sandbox", "u")) == "s"


def test_hanging_keyring_times_out_without_blocking(arun: Run) -> None:
    backend = HangingKeyring()
    store = SecretStore(backend, timeout=0.3)
    try:
        assert arun(store.probe(), timeout=5) is False
        assert store.notice == NO_KEYRING_NOTICE
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
    assert not store.usable and store.notice == NO_KEYRING_NOTICE
