"""One TLS context for every HTTP client the app makes, its trusted certificates loaded off the
UI thread and only when an https address needs them.

Loading the CA bundle takes 40-70 ms of CPU on the development VM, and httpx would load it once
per client. ``context()`` returns at once the one context every client shares: it verifies
certificates and host names (``PROTOCOL_TLS_CLIENT``), and trusts nothing until
``start_loading()`` has loaded, in a thread, in C, without the GIL, the authorities httpx itself
would use (``SSL_CERT_FILE``, ``SSL_CERT_DIR``, else certifi's) and, with certifi's, this
computer's own (``system_store``): where a clinic's IT team adds the authority of a network that
inspects secure traffic, so that such a network works without any setting. ``HttpClient`` awaits
``trusted()`` before each https request, so a handshake never starts on an empty trust store
(which would refuse every server, never accept one). Plain http to the bundled sandbox on
loopback never waits for it, and a start-up that opens only that (``--demo``) never loads it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import ssl
import sys
import threading

_lock = threading.Lock()
_context: ssl.SSLContext | None = None
_loaded: concurrent.futures.Future[None] | None = None  # the bundle's load, once started


def context() -> ssl.SSLContext:
    """The shared client context (without trusted certificates until ``start_loading``)."""
    global _context
    with _lock:
        if _context is None:
            # What ssl.create_default_context makes, before it loads certificates: verifies the
            # certificate and host name, and (from Python 3.13 on) its stricter chain checks.
            _context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if sys.version_info >= (3, 13):
                _context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
            keylog = os.environ.get("SSLKEYLOGFILE")
            if keylog and not sys.flags.ignore_environment:
                _context.keylog_filename = keylog
        return _context


def system_store() -> ssl.DefaultVerifyPaths:
    """Where OpenSSL finds this computer's trusted authorities (Debian, Ubuntu: ``/etc/ssl/certs``,
    which ``update-ca-certificates`` keeps, a locally added authority included); a file or folder
    that does not exist is None."""
    return ssl.get_default_verify_paths()


def _load(target: ssl.SSLContext) -> None:
    """Trust what httpx's ``create_ssl_context`` trusts, in the same order, and with certifi's
    authorities the computer's own: on Windows its certificate store, elsewhere OpenSSL's
    (macOS keeps its own in the keychain, which OpenSSL does not read)."""
    if os.environ.get("SSL_CERT_FILE"):
        target.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        target.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        target.load_verify_locations(cafile=certifi.where())
        if sys.platform == "win32":
            target.load_default_certs(ssl.Purpose.SERVER_AUTH)
            return
        own = system_store()
        if own.cafile or own.capath:
            target.load_verify_locations(cafile=own.cafile, capath=own.capath)


def start_loading() -> concurrent.futures.Future[None]:
    """Load the trusted certificates into ``context()`` in a thread, once; the load's future."""
    global _loaded
    target = context()
    with _lock:
        if _loaded is None:
            loaded: concurrent.futures.Future[None] = concurrent.futures.Future()
            loaded.set_running_or_notify_cancel()  # a cancelled waiter cannot cancel the load

            def load() -> None:
                try:
                    _load(target)
                except BaseException as error:  # the https request that awaits it says so
                    loaded.set_exception(error)
                else:
                    loaded.set_result(None)

            _loaded = loaded
            threading.Thread(target=load, name="tls-trust", daemon=True).start()
        return _loaded


async def trusted() -> None:
    """Wait until ``context()`` trusts the certificate authorities (starting the load if no one
    has); raises ``ssl.SSLError`` or ``OSError`` when the bundle cannot be read."""
    loaded = start_loading()
    if not loaded.done():  # loaded already (every request after the first): no loop turn
        await asyncio.wrap_future(loaded)
    loaded.result()
