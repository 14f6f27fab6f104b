"""A floor for ``bench_startup.py``: the bare window after importing only the libraries the app's
first page cannot do without, and none of the app.

asyncio and qasync (the event loop), httpx (requests) with what it imports for its first client
and request (httpcore, anyio's asyncio backend), msgspec (the records), keyring (the M2M secret)
and phonenumbers (the patients' phones), then the same QApplication, QMainWindow and one paint as
``bare_window.py``. Whatever the app does on top (its own modules, the sign-in, the
request, the pages) comes after this, so a start-up target below this floor cannot be met with
these libraries on this interpreter.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # as the app does: httpx's command line is not needed

import asyncio  # noqa: E402, F401

import anyio._backends._asyncio  # noqa: E402, F401  (httpcore's, with the first request)
import httpcore  # noqa: E402, F401  (httpx's transport, with the first client)
import httpx  # noqa: E402, F401
import keyring  # noqa: E402, F401
import msgspec  # noqa: E402, F401
import phonenumbers  # noqa: E402, F401
import qasync  # noqa: E402, F401
from bare_window import main  # noqa: E402  (the very same window, paint and timings)

if __name__ == "__main__":
    raise SystemExit(main())
