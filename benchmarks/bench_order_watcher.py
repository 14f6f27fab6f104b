"""The order watcher against a real sandbox over HTTP: requests per minute and CPU with 50 and
500 open orders, and the longest UI stall while a round changes every one of them.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_order_watcher.py``.

For each size it starts a sandbox, creates orders until that many are open (orders without a
pharmacy stay open: PENDING, then ROUTING), and runs the app's watcher on a fake clock so each
30 s round happens at once (real HTTP, real parsing). CPU is this process's time per round
(the sandbox is another process), as a share of the 30 s interval. The stall is the longest gap
of a 5 ms Qt heartbeat while one round brings N changes (every order PENDING -> ROUTING) into a
shown order list, worklist and notice banner. Target: <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "services"))

import httpx
import qasync
from bench_patient_scroll import Heartbeat, _NoKeyring, start_sandbox
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from watch_fakes import FakeTime

from photon_desktop.auth.environments import LOCAL_SANDBOX
from photon_desktop.auth.profiles import Profile
from photon_desktop.auth.secret_store import SecretStore
from photon_desktop.auth.session import Session
from photon_desktop.domain import AddressInput, OrderState, PrescriptionState
from photon_desktop.services import Services
from photon_desktop.services.order_watcher import (
    OPEN_STATES,
    GraphQLOrderFetcher,
    OrderWatcher,
)
from photon_desktop.ui.notify import BannerPort, NoticeBanner, Notifications
from photon_desktop.ui.order_watch import OrderWatch
from photon_desktop.ui.orders.list import OrdersPage
from photon_desktop.ui.worklist.page import WorklistPage
from photon_desktop.ui.workspace import Workspace

ADDRESS = AddressInput(street1="1 Main St", city="Springfield", state="IL", postal_code="62701")
INTERVAL_S = 30.0
ROUNDS = 5


def admin(info: dict[str, Any], body: dict[str, Any]) -> None:
    response = httpx.put(
        info["admin_url"] + "/clock", json=body, headers={"X-Sandbox-Admin": info["admin_key"]}
    )
    response.raise_for_status()


async def open_orders(services: Services) -> int:
    count = 0
    for state in OPEN_STATES:
        after = None
        while True:
            page = await services.orders.list(state=state, after=after, first=100)
            count += len(page.items)
            if not page.has_more:
                break
            after = page.cursor
    return count


async def fill_up(services: Services, wanted: int) -> int:
    """Create pharmacy-less orders until ``wanted`` are open; returns how many were created."""
    need = wanted - await open_orders(services)
    created = 0
    after = None
    while need > 0:
        page = await services.prescriptions.list(
            state=PrescriptionState.ACTIVE, after=after, first=100
        )
        for rx in page.items:
            for _ in range(min(rx.fills_remaining, need)):
                await services.orders.create(rx.patient_id, [rx.id], ADDRESS, None)
                need -= 1
                created += 1
            if need <= 0:
                break
        if not page.has_more:
            break
        after = page.cursor
    return created


async def measure(info: dict[str, Any], size: int) -> dict[str, float]:
    env = LOCAL_SANDBOX.with_endpoints(
        issuer=info["issuer"], audience=info["audience"], graphql_url=info["graphql_url"]
    )
    async with httpx.AsyncClient(timeout=30) as http:
        session = Session(env, http, SecretStore(_NoKeyring()), profile=Profile())
        await session.use_m2m(
            info["m2m"]["client_id"], info["m2m"]["client_secret"], remember=False
        )
        services = Services(http, env.graphql_url, session)
        print(f"filling up to {size} open orders…", file=sys.stderr, flush=True)
        await fill_up(services, size)
        print("filled", file=sys.stderr, flush=True)
        workspace = Workspace()
        workspace.set(env, session, services)
        fake = FakeTime()

        def factory(ws: Workspace) -> OrderWatcher:
            fetcher = GraphQLOrderFetcher(ws.services.client, ws.services.orders)
            return OrderWatcher(fetcher, clock=fake.clock, sleep=fake.sleep, wall_clock=fake.wall)

        watch = OrderWatch(workspace, factory=factory)
        orders_page = OrdersPage(workspace, watch=watch)
        worklist = WorklistPage(workspace, watch)
        banner = NoticeBanner()
        notifications = Notifications(watch, [BannerPort(banner)])
        for widget in (orders_page, worklist, banner):
            widget.resize(1200, 700)
            widget.show()
        watch.start()
        watcher = watch.watcher
        assert watcher is not None
        while not watcher.loaded:  # noqa: ASYNC110 - polls the watcher, as the tests do
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)  # the list's first page and the worklist's prescriptions
        open_now = len(watcher.open_orders())
        print(f"watching {open_now} open orders", file=sys.stderr, flush=True)

        async def one_round() -> None:
            done = watcher.counters.finished_rounds
            await fake.advance(INTERVAL_S)
            while watcher.counters.finished_rounds == done or not fake.sleeping:  # noqa: ASYNC110
                await asyncio.sleep(0.001)

        requests, cpu = [], []
        for _ in range(ROUNDS):
            before = watcher.counters.requests
            cpu0 = time.process_time()
            await one_round()
            cpu.append(time.process_time() - cpu0)
            requests.append(watcher.counters.requests - before)

        # Every open order changes at once (PENDING -> ROUTING after a minute without pharmacy).
        admin(info, {"advance_seconds": 61})
        beat = Heartbeat()
        beat.start()
        wall0 = time.perf_counter()
        await one_round()
        await asyncio.sleep(0.2)  # let queued repaints run under the heartbeat
        beat.stop()
        changed = len([o for o in watcher.open_orders() if o.state is OrderState.ROUTING])
        watch.stop()
        notifications.deleteLater()
        worklist.cancel_tasks()
        orders_page.cancel_tasks()
        return {
            "open": open_now,
            "requests_per_round": sum(requests) / len(requests),
            "requests_per_min": sum(requests) / len(requests) * 60 / INTERVAL_S,
            "cpu_ms_per_round": 1000 * sum(cpu) / len(cpu),
            "cpu_percent": 100 * (sum(cpu) / len(cpu)) / INTERVAL_S,
            "changed": changed,
            "round_ms": 1000 * (time.perf_counter() - wall0),
            "stall_ms": beat.max_gap_ms,
            "banner": banner.text.text(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    QCoreApplication.setOrganizationName("PhotonDesktopBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    rows = []
    for size in args.sizes:
        process, info = start_sandbox(max(200, size))
        try:
            loop = qasync.QEventLoop(app)
            asyncio.set_event_loop(loop)
            with loop:
                rows.append(loop.run_until_complete(measure(info, size)))
        finally:
            process.terminate()
            process.wait()
    print(
        f"{'open':>5} {'req/round':>9} {'req/min':>8} {'cpu ms/round':>12} {'cpu %':>6}"
        f" {'changed':>7} {'round ms':>8} {'max stall ms':>12}"
    )
    for r in rows:
        print(
            f"{r['open']:>5} {r['requests_per_round']:>9.1f} {r['requests_per_min']:>8.1f}"
            f" {r['cpu_ms_per_round']:>12.1f} {r['cpu_percent']:>6.2f} {r['changed']:>7}"
            f" {r['round_ms']:>8.0f} {r['stall_ms']:>12.1f}"
        )
        print(f"      banner: {r['banner']}")
    print("With an order's detail open add 12 req/min (one GetOrder every 5 s).")


if __name__ == "__main__":
    main()
