"""Sign-in timings against the real local sandbox (a script, not a test).

Measures, with the app's own ``Session`` on a qasync loop:
  * browser sign-in: receiver start -> authorize page -> Continue -> loopback -> code exchange
    (a scripted HTTP "browser" instead of Chromium: the app's + the sandbox's share of the time)
  * refresh-token renewal after a 401 (with rotation persisted to the keyring first)
  * 50 concurrent ``access_token()`` callers on an expired M2M token: token requests made
  * ``SecretStore.probe()`` on an in-memory backend (the thread hop and its bookkeeping)
Run: .venv/bin/python benchmarks/bench_signin.py

Measured on the shared 2-core VM (Python 3.11.7), 30 runs: sign-in p50 9.0 ms / p95 26.3 ms;
refresh after a 401 p50 2.8 ms / p95 4.0 ms; 50 concurrent callers -> 1 token request;
probe p50 0.23 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from urllib.parse import urlencode

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session

RUNS = 30


class Memory(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.d: dict[tuple[str, str], str] = {}

    def get_password(self, s: str, u: str) -> str | None:
        return self.d.get((s, u))

    def set_password(self, s: str, u: str, p: str) -> None:
        self.d[(s, u)] = p

    def delete_password(self, s: str, u: str) -> None:
        self.d.pop((s, u), None)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def main(info: dict) -> None:
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=info["issuer"], audience=info["audience"], graphql_url=info["graphql_url"]
    )
    email = info["users"][0]["email"]
    counted: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path == "/oauth/token":
            counted.append(request.url.path)

    async with (
        httpx.AsyncClient(event_hooks={"request": [count]}) as client,
        httpx.AsyncClient() as web,
    ):

        async def browse(url: str) -> None:
            page = await web.get(url + "&" + urlencode({"login_hint": email}))
            txn = re.search(r'name="transaction" value="([^"]+)"', page.text)
            action = re.search(r'<form method="post" action="([^"]+)"', page.text)
            assert txn and action
            decision = await web.post(
                info["issuer"].rstrip("/") + action.group(1),
                data={"transaction": txn.group(1), "user": email, "action": "continue"},
            )
            await web.get(decision.headers["location"])

        pending: list[asyncio.Task[None]] = []
        sign_in, refresh = [], []
        for _ in range(RUNS):
            store = SecretStore(Memory())
            session = Session(
                env, client, store, profile=Profile(native_client_id=info["native_client_id"])
            )
            start = time.perf_counter()
            await session.sign_in_with_browser(
                lambda url: pending.append(asyncio.ensure_future(browse(url))) is None
            )
            sign_in.append(time.perf_counter() - start)
            token = await session.access_token()
            start = time.perf_counter()
            await session.renew(token)
            refresh.append(time.perf_counter() - start)
        await asyncio.gather(*pending)

        clock = [time.time()]
        m2m = Session(env, client, SecretStore(Memory()), clock=lambda: clock[0])
        await m2m.use_m2m(info["m2m"]["client_id"], info["m2m"]["client_secret"], remember=False)
        clock[0] += 10 * 86400
        counted.clear()
        await asyncio.gather(*(m2m.access_token() for _ in range(50)))
        m2m_requests = len(counted)

        probes = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await SecretStore(Memory()).probe()
            probes.append(time.perf_counter() - start)

    ms = 1000.0
    print(
        f"browser sign-in (scripted browser), {RUNS} runs: "
        f"p50 {statistics.median(sign_in) * ms:.1f} ms, p95 {pct(sign_in, 0.95) * ms:.1f} ms"
    )
    print(
        f"refresh after 401 (rotation persisted first): "
        f"p50 {statistics.median(refresh) * ms:.1f} ms, p95 {pct(refresh, 0.95) * ms:.1f} ms"
    )
    print(f"50 concurrent access_token() on an expired M2M token: {m2m_requests} token request(s)")
    print(
        f"keyring probe (in-memory backend, thread hop): "
        f"p50 {statistics.median(probes) * ms:.2f} ms"
    )


if __name__ == "__main__":
    proc = subprocess.Popen(
        [sys.executable, "-m", "photon_desktop.sandbox", "--port", "0", "--seed", "1",
         "--patients", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    sandbox = json.loads(proc.stdout.readline())
    app = QApplication([])
    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            runner.run(main(sandbox))
    finally:
        proc.terminate()
        proc.wait(10)
