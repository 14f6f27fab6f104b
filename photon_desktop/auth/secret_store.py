"""The OS keyring, probed once and used off the UI thread, with a session-only fallback.

Entries, per environment (``env.key``):

    service   ``photon-desktop:<env.key>``
    username  ``m2m-client-secret:<m2m client id>``   the organization's M2M client secret
              ``refresh-token:<native client id>``    the signed-in user's refresh token

Only these two kinds of secret are ever stored; access tokens live in memory only. When no secure
store exists (keyring's ``fail``/``null`` backends, a plaintext backend such as ``keyrings.alt``, a
locked or hanging Secret Service) values are kept in memory for this session and ``notice`` says so:
never a silent plaintext fallback. A keyring error at run time downgrades to that mode instead of
raising, so the current sign-in is never lost.

Keyring calls block (D-Bus, prompts). Each runs in its own daemon thread with a timeout: a call that
hangs forever is abandoned without blocking the UI or the interpreter's exit (a hung
``asyncio.to_thread`` worker would block the default executor's shutdown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

# keyring itself (with importlib_metadata and jaraco's helpers: ~15 ms and ~4 MB) is imported
# with the first keyring call or probe, not with this module: a start-up that needs no secret
# (``--demo``) shows its first page without it.
if sys.platform != "darwin":
    # keyring's discovery imports every backend. Off macOS, the macOS one's helper looks for the
    # Security frameworks with ctypes.util.find_library, which on Linux runs ldconfig and gcc,
    # three times (~60-120 ms of processes at each start), before the backend declines the
    # platform anyway; with the helper unimportable it declines at once.
    sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]

T = TypeVar("T")

SERVICE_PREFIX = "photon-desktop:"
CALL_TIMEOUT_S = 5.0  # a keyring call that has not answered by then is abandoned
NO_KEYRING_NOTICE = (
    "No secure keyring is available, so nothing is saved: you will need to sign in again "
    "(and enter the client secret again) next time you open Photon Desktop."
)
STOPPED_NOTICE = (
    "The keyring stopped working during this session ({why}). You stay signed in, but from now "
    "on your sign-in is kept for this session only: you will need to sign in again next time "
    "you open Photon Desktop."
)


def failure_reason(error: BaseException) -> str:
    """What a failed keyring call means, in the user's words."""
    import keyring.errors

    if isinstance(error, TimeoutError):
        return "it did not answer: it may be locked and waiting for an unlock prompt"
    if isinstance(error, keyring.errors.KeyringLocked):
        return "it is locked"
    return f"it failed with {type(error).__name__}"


def service_name(env_key: str) -> str:
    return f"{SERVICE_PREFIX}{env_key}"


def m2m_secret_user(client_id: str) -> str:
    return f"m2m-client-secret:{client_id}"


def refresh_token_user(native_client_id: str) -> str:
    return f"refresh-token:{native_client_id}"


_NOTHING_STORED = ("keyring.backends.fail", "keyring.backends.null")


def _chosen(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend | None:
    """The backend that actually receives writes: a chainer writes to its first (highest
    priority) backend, so that one decides."""
    inner = getattr(backend, "backends", None)  # ChainerBackend
    if isinstance(inner, list | tuple):
        return _chosen(inner[0]) if inner else None
    return backend


def describe(backend: keyring.backend.KeyringBackend | None) -> str:
    """ "PlaintextKeyring (keyrings.alt.file)": how the notice names a backend."""
    if backend is None:
        return "none"
    cls = type(backend)
    return f"{cls.__name__} ({cls.__module__})"


def _priority(backend: keyring.backend.KeyringBackend) -> float:
    try:
        return float(backend.priority)
    except Exception:  # a backend whose priority cannot even be read is not trusted
        return 0.0


def insecure_reason(backend: keyring.backend.KeyringBackend | None) -> str | None:
    """Why the backend keyring would really write to cannot hold secrets; None when it can.

    Judged on the chosen backend, not on names: nothing-storing backends, anything built on a
    file (``keyrings.alt``'s classes or a ``file_path``, whatever the class is called) and
    anything keyring itself rates below 1 ("not recommended") are refused.
    """
    chosen = _chosen(backend) if backend is not None else None
    if chosen is None:
        return "no keyring backend is available"
    name = describe(chosen)
    classes = type(chosen).__mro__
    if any(c.__module__.startswith(_NOTHING_STORED) for c in classes):
        return f"the keyring backend {name} stores nothing"
    if any(c.__module__.startswith("keyrings.alt") for c in classes) or hasattr(
        chosen, "file_path"
    ):
        return f"the keyring backend {name} writes secrets to a file, not a secure store"
    priority = _priority(chosen)
    if priority < 1:
        return f"keyring rates the backend {name} as not recommended (priority {priority:g})"
    return None


def _start_in_thread(fn: Callable[[], T]) -> asyncio.Future[T]:
    """Start a blocking call in a daemon thread; its answer or error arrives in the future."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(ok: bool, value: Any) -> None:
        if future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            result = fn()
        except BaseException as error:  # delivered to the awaiting coroutine
            outcome: tuple[bool, Any] = (False, error)
        else:
            outcome = (True, result)
        if loop.is_closed():  # the app is ending: nobody waits, and Qt may be going away
            return
        try:
            loop.call_soon_threadsafe(deliver, *outcome)
        except RuntimeError:
            pass  # the loop closed meanwhile; nobody is waiting any more

    threading.Thread(target=work, name="keyring-call", daemon=True).start()
    return future


async def _in_thread(fn: Callable[[], T], limit: float) -> T:
    """Run a blocking call in a daemon thread; raise TimeoutError when it does not return."""
    return await asyncio.wait_for(_start_in_thread(fn), limit)


class SecretStore:
    """Async keyring access for one app run; shared by every environment's session."""

    def __init__(
        self,
        backend: keyring.backend.KeyringBackend | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        self._backend = backend
        self._load_problem: str | None = None
        self._timeout = CALL_TIMEOUT_S if timeout is None else timeout
        self._usable: bool | None = None  # None: not probed yet
        self._probing: asyncio.Future[bool] | None = None  # the probe in flight, if any
        self._memory: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()  # one keyring call at a time, in the order asked
        self.notice: str | None = None

    @classmethod
    def session_only(cls) -> SecretStore:
        """A store that keeps everything in memory and never asks the keyring (a check run
        must not replace the user's saved sign-in)."""
        store = cls()
        store._usable = False
        return store

    @property
    def backend(self) -> keyring.backend.KeyringBackend | None:
        """The injected backend, else keyring's choice; None when keyring cannot load one
        (e.g. ``PYTHON_KEYRING_BACKEND`` names a module that is not installed)."""
        if self._backend is not None:
            return self._backend
        try:
            import keyring

            return keyring.get_keyring()
        except Exception as error:
            self._load_problem = (
                f"the keyring backend configured for this computer could not be loaded "
                f"({type(error).__name__})"
            )
            return None

    @property
    def usable(self) -> bool:
        """True once the probe found a secure store (and no later call failed)."""
        return bool(self._usable)

    @property
    def backend_name(self) -> str:
        """The backend that receives writes, as the Settings pane names it."""
        backend = self.backend
        return describe(_chosen(backend) if backend is not None else None)

    def _downgrade(self, why: str) -> None:
        if self._usable is not False:
            log.warning("Keyring not usable (%s); secrets are kept for this session only", why)
        self._usable = False
        self.notice = f"{NO_KEYRING_NOTICE} Why: {why}."

    def _stopped(self, action: str, error: BaseException) -> None:
        """A call failed after the probe found the keyring working: it locked or hung since."""
        if self._usable is not True:
            self._downgrade(f"{action} failed: {type(error).__name__}")
            return
        why = failure_reason(error)
        log.warning("Keyring %s failed (%s); secrets are kept for this session only", action, why)
        self._usable = False
        self.notice = STOPPED_NOTICE.format(why=why)

    async def probe(self) -> bool:
        """Decide, off the UI thread, whether secrets can be kept past this session.

        The app starts the probe without waiting for it (a hanging Secret Service must not hold
        the window back); a keyring call made meanwhile waits for that same probe.
        """
        examined = _start_in_thread(self._examine)
        probing = self._probing = asyncio.ensure_future(self._probe(examined))
        return await asyncio.shield(probing)

    def _examine(
        self,
    ) -> tuple[keyring.backend.KeyringBackend | None, str | None, Exception | None]:
        """In the probe's thread: the backend, why it cannot hold secrets (None when it can),
        and what a test read raised (None when it answered). All blocking: keyring's discovery
        imports every backend and the Secret Service one asks D-Bus whether the service runs,
        as does reading a backend's priority."""
        backend = self.backend
        reason = self._load_problem if backend is None else insecure_reason(backend)
        if reason is not None or backend is None:
            return backend, reason or "no keyring backend is available", None
        try:
            backend.get_password(service_name("probe"), "probe")
        except Exception as error:  # judged by the loop, below
            return backend, None, error
        return backend, None, None

    async def _probe(
        self,
        examined: asyncio.Future[
            tuple[keyring.backend.KeyringBackend | None, str | None, Exception | None]
        ],
    ) -> bool:
        try:
            backend, reason, error = await asyncio.wait_for(examined, self._timeout)
        except TimeoutError:
            self._downgrade("the keyring did not answer (locked or hanging)")
            return False
        if reason is not None:
            self._downgrade(reason)
            return False
        if error is not None:
            self._downgrade(f"the keyring {describe(backend)} failed ({type(error).__name__})")
            return False
        self._usable = True
        self.notice = None
        return True

    async def _call(self, fn: Callable[[], T]) -> T:
        """One keyring call under the lock; a cancelled caller still waits for the call to end.

        The thread cannot be stopped, so a write that was "cancelled" may still land; holding the
        lock until it does means a later delete (sign-out) always runs after it.
        """
        async with self._lock:
            call = asyncio.ensure_future(_in_thread(fn, self._timeout))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                if not call.done():
                    with contextlib.suppress(BaseException):
                        await call
                raise

    async def _ensure_probed(self) -> None:
        if self._usable is not None:
            return
        if self._probing is not None and not self._probing.done():
            await asyncio.shield(self._probing)
        else:
            await self.probe()

    def _live(self) -> keyring.backend.KeyringBackend:
        backend = self.backend
        assert backend is not None, "only called once the probe found a usable store"
        return backend

    async def get(self, env_key: str, user: str) -> str | None:
        await self._ensure_probed()
        key = (service_name(env_key), user)
        if key in self._memory or not self._usable:
            return self._memory.get(key)
        backend = self._live()
        try:
            return await self._call(lambda: backend.get_password(*key))
        except Exception as error:
            self._stopped("read", error)
            return None

    async def set(self, env_key: str, user: str, secret: str) -> bool:
        """Keep ``secret``; True when it will survive a restart, False when session-only."""
        await self._ensure_probed()
        key = (service_name(env_key), user)
        if self._usable:
            backend = self._live()
            try:
                await self._call(lambda: backend.set_password(*key, secret))
            except Exception as error:
                self._stopped("write", error)
            else:
                self._memory.pop(key, None)
                return True
        self._memory[key] = secret
        return False

    async def delete(self, env_key: str, user: str) -> None:
        """Remove the entry from memory and the keyring; a missing entry is not an error."""
        await self._ensure_probed()
        key = (service_name(env_key), user)
        self._memory.pop(key, None)
        if not self._usable:
            return
        backend = self._live()
        import keyring.errors

        try:
            await self._call(lambda: backend.delete_password(*key))
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as error:
            self._stopped("delete", error)
