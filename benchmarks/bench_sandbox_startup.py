"""Sandbox start-up time and GraphQL latency over real HTTP.

Measures, with the real CLI as a child process:

- time from process start to the JSON line, at 200 and at 100,000 patients (target <= 5 s at 100k);
- p50/p95 of the app's own ``SearchPatients`` (``first: 25``) and ``GetPatient`` (the whole
  detail view, ``recent: 10``) at 100,000 patients (target p50 <= 15 ms).

Run: ``python benchmarks/bench_sandbox_startup.py [--runs 3] [--requests 300]``.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from photon_desktop.api.documents import load


def start(patients: int) -> tuple[subprocess.Popen[bytes], dict[str, Any], float]:
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "photon_desktop.sandbox", "--port", "0", "--seed", "1",
         "--patients", str(patients)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - began
    if not line:
        process.kill()
        raise SystemExit(f"the sandbox did not start with {patients} patients")
    return process, json.loads(line), elapsed


def m2m_token(client: httpx.Client, info: dict[str, Any]) -> str:
    """A client-credentials token from the sandbox ``info`` announced."""
    return str(
        client.post(
            info["token_url"],
            json={
                "client_id": info["m2m"]["client_id"],
                "client_secret": info["m2m"]["client_secret"],
                "audience": info["audience"],
                "grant_type": "client_credentials",
            },
        ).json()["access_token"]
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    if process.wait(timeout=30) != 0:
        raise SystemExit(f"the sandbox exited with {process.returncode}")
    if process.stdout is not None:
        process.stdout.close()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(
    client: httpx.Client, url: str, token: str, build: Any, requests: int
) -> tuple[float, float]:
    """p50/p95 in ms of ``requests`` calls; ``build(i)`` gives the i-th JSON body."""
    headers = {"Authorization": token}
    for i in range(10):  # warm up: connection, parsed-document cache
        client.post(url, json=build(i), headers=headers).raise_for_status()
    samples = []
    for i in range(requests):
        body = build(i)
        began = time.perf_counter()
        response = client.post(url, json=body, headers=headers)
        samples.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
        if "errors" in response.json():
            raise SystemExit(f"GraphQL errors: {response.json()['errors'][:1]}")
    return statistics.median(samples), percentile(samples, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="start-ups per size")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per query")
    args = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    for patients in (200, 100_000):
        times = []
        for _ in range(args.runs):
            process, _info, elapsed = start(patients)
            stop(process)
            times.append(elapsed)
        rows.append(
            (f"start-up to JSON line, {patients:,} patients", f"{statistics.median(times):.2f} s",
             f"min {min(times):.2f} s, max {max(times):.2f} s (n={args.runs})")
        )  # fmt: skip

    search = load("SearchPatients").text
    detail = load("GetPatient").text
    process, info, _ = start(100_000)
    try:
        with httpx.Client(timeout=30) as client:
            token = m2m_token(client, info)
            page = client.post(
                info["graphql_url"],
                json={"query": "{ patients(first: 100) { id } }"},
                headers={"Authorization": token},
            ).json()["data"]["patients"]
            ids = [p["id"] for p in page]

            p50, p95 = latency(
                client, info["graphql_url"], token,
                lambda i: {"query": search, "variables": {"first": 25},
                           "operationName": "SearchPatients"},
                args.requests,
            )  # fmt: skip
            rows.append(("SearchPatients(first: 25), 100,000 patients", f"p50 {p50:.1f} ms",
                         f"p95 {p95:.1f} ms (n={args.requests})"))  # fmt: skip
            p50, p95 = latency(
                client, info["graphql_url"], token,
                lambda i: {"query": detail, "variables": {"id": ids[i % len(ids)], "recent": 10},
                           "operationName": "GetPatient"},
                args.requests,
            )  # fmt: skip
            rows.append(("GetPatient (detail view), 100,000 patients", f"p50 {p50:.1f} ms",
                         f"p95 {p95:.1f} ms (n={args.requests})"))  # fmt: skip
    finally:
        stop(process)

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'result':>14}  detail")
    for name, result, detail_text in rows:
        print(f"{name:<{width}}  {result:>14}  {detail_text}")


if __name__ == "__main__":
    main()
