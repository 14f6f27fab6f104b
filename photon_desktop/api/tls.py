"""One TLS context for every HTTP client the app makes.

Building a context loads the CA bundle, 40-70 ms on the development VM; httpx would build one per
client. The app's composition root starts building it in a thread at launch (the load runs in C,
without the GIL) so that neither the window nor the first request waits for all of it.
"""

from __future__ import annotations

import ssl
import threading

import httpx

_lock = threading.Lock()  # a second caller waits for the context being built, not builds another
_context: ssl.SSLContext | None = None


def context() -> ssl.SSLContext:
    """httpx's own default context (certifi's bundle, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``)."""
    global _context
    with _lock:
        if _context is None:
            _context = httpx.create_ssl_context()
        return _context
