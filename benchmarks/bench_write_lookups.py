"""What the prescribing and ordering windows wait for while a user types.

Run: ``.venv/bin/python benchmarks/bench_write_lookups.py [--runs 100]``. Starts the sandbox CLI
(200 patients), takes an M2M token, and times through the app's own services over HTTP: the
treatment search behind the prescription form (catalog + medications + equipment, 3 requests in
parallel) and the pharmacy search behind the picker (ZIP → coordinates offline, search, distance
to each result). Also the ZIP table's first (cold) and later lookups. One table of p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_sandbox_startup import percentile, start, stop

from photon_desktop.domain import FulfillmentType
from photon_desktop.services import Services, locations
from photon_desktop.services.treatment_search import search_treatments


class _Token:
    def __init__(self, token: str) -> None:
        self.token, self.generation = token, 1

    async def access_token(self) -> str:
        return self.token

    async def renew(self, rejected: str) -> str:
        return self.token


async def run(info: dict, runs: int) -> list[tuple[str, str]]:
    rows = []
    began = time.perf_counter()
    locations.place_for_zip("10001")
    rows.append(
        ("ZIP table, first lookup (loads it)", f"{(time.perf_counter() - began) * 1e3:.0f}")
    )
    samples = []
    for code in ("94110", "60601", "77002", "98101", "02108") * 20:
        began = time.perf_counter()
        locations.place_for_zip(code)
        samples.append((time.perf_counter() - began) * 1e3)
    rows.append(("ZIP lookup, warm (p50 / p95)", _pair(samples)))

    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(
            info["token_url"],
            json={
                "client_id": info["m2m"]["client_id"],
                "client_secret": info["m2m"]["client_secret"],
                "audience": info["audience"],
                "grant_type": "client_credentials",
            },
        )
        services = Services(http, info["graphql_url"], _Token(answer.json()["access_token"]))
        await search_treatments(services.catalog, "warm up")
        for label, term in (("Treatment search 'ator' (p50 / p95)", "ator"),
                            ("Treatment search 'glucose meter'", "glucose meter")):  # fmt: skip
            samples = []
            for _ in range(runs):
                began = time.perf_counter()
                await search_treatments(services.catalog, term)
                samples.append((time.perf_counter() - began) * 1e3)
            rows.append((label, _pair(samples)))
        samples = []
        for _ in range(runs):
            began = time.perf_counter()
            centre = await locations.locate("10001")
            assert centre is not None
            page = await services.catalog.pharmacies(
                latitude=centre.latitude,
                longitude=centre.longitude,
                radius_miles=25,
                fulfillment=FulfillmentType.PICK_UP,
                first=50,
            )
            await locations.miles_from(
                centre, [p.address.postal_code for p in page.items if p.address]
            )
            samples.append((time.perf_counter() - began) * 1e3)
        rows.append(("Pharmacies near a ZIP + distances (p50 / p95)", _pair(samples)))
    return rows


def _pair(samples: list[float]) -> str:
    return f"{percentile(samples, 0.5):.1f} / {percentile(samples, 0.95):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    process, info, _ = start(200)
    try:
        rows = asyncio.run(run(info, args.runs))
    finally:
        stop(process)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value} ms")


if __name__ == "__main__":
    main()
