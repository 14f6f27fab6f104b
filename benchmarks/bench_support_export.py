"""CSV export of the patient list through the app's services, and the console's schema cost.

Starts the sandbox CLI with N patients (default 10,000), signs in with the M2M client over HTTP,
and times ``services.support.export_csv`` paging ``SearchPatients`` (100 per request) into a
temporary file; then times building Photon's schema and validating a query (what the console's
first check costs).

Run: ``python benchmarks/bench_support_export.py [--patients 10000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from bench_sandbox_startup import m2m_token, start, stop

from photon_desktop.domain import PatientSummary
from photon_desktop.services import Services, support
from photon_desktop.services.console import schema, validate


class StaticToken:
    """The M2M token for the benchmark's one session."""

    generation = 0

    def __init__(self, token: str) -> None:
        self._token = token

    async def access_token(self) -> str:
        return self._token

    async def renew(self, _old: str) -> str:
        return self._token


async def export_once(info: dict, token: str, path: Path) -> tuple[int, float]:
    async with httpx.AsyncClient(timeout=30) as http:
        services = Services(http, info["graphql_url"], StaticToken(token))  # type: ignore[arg-type]
        began = time.perf_counter()
        count = await support.export_csv(
            lambda after: services.patients.search(None, after=after, first=support.EXPORT_PAGE),
            path,
            record=PatientSummary,
        )
        return count, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    schema()
    built = time.perf_counter() - began
    began = time.perf_counter()
    validate("query { patients(first: 5) { id name { full } } }")
    checked = time.perf_counter() - began
    print(f"schema build {built * 1000:.0f} ms, first validation {checked * 1000:.1f} ms")

    process, info, _ = start(args.patients)
    try:
        with httpx.Client(timeout=30) as client:
            token = m2m_token(client, info)
        times = []
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(args.runs):
                path = Path(folder) / "patients.csv"
                count, seconds = asyncio.run(export_once(info, token, path))
                times.append(seconds)
                size = path.stat().st_size
        print(
            f"export {count:,} patients: median {statistics.median(times):.2f} s, "
            f"min {min(times):.2f} s ({size / 1e6:.1f} MB)"
        )
    finally:
        stop(process)


if __name__ == "__main__":
    main()
