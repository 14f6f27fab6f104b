"""Startup time and query latency of the sandbox Clinical API, in process.

Run: ``.venv/bin/python benchmarks/bench_sandbox_queries.py [--patients 100000] [--runs 300]``.
Prints one table. Targets: construction well under 5 s at 100,000 patients; p50 of
``patients(first: 25)`` and of a full patient-detail query <= 15 ms.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
from collections.abc import Callable

from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.graphql import ClinicalAPI

LIST = "query { patients(first: 25) { id name { first last full } dateOfBirth sex phone email } }"
SEARCH = 'query { patients(first: 25, filter: {name: "son"}) { id name { full } } }'
DETAIL = """query($id: ID!) { patient(id: $id) {
  id externalId dateOfBirth sex gender phone email name { first last middle full }
  address { street1 street2 city state postalCode country }
  allergies { allergen { id name } comment onset }
  medicationHistory { active comment medication { id name } }
  preferredPharmacies { id name phone fulfillmentTypes address { city state } }
  prescriptions(first: 25) { id state fillsAllowed fillsRemaining dispenseQuantity dispenseUnit
    daysSupply instructions notes writtenAt effectiveDate expirationDate
    treatment { __typename id name } prescriber { id name { full } } }
  orders(first: 25) { id state createdAt pharmacy { id name }
    fulfillment { type state carrier trackingNumber }
    fills { id state requestedAt filledAt treatment { name } } } } }"""
ORDERS = "query { orders(first: 25) { id state createdAt patient { name { full } } } }"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    for count in (200, args.patients):
        gc.collect()
        start = time.perf_counter()
        api = ClinicalAPI(seed=1, patients=count)
        rows.append(
            (f"construct ClinicalAPI(patients={count:,})", f"{time.perf_counter() - start:8.3f} s")
        )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS after both", f"{rss_mb:8.0f} MB"))

    principal = Principal(
        subject="bench",
        client_id="bench",
        org_id=api.org_id,
        permissions=frozenset(accounts.ALL_PERMISSIONS),
        user_email="prescriber@sandbox.photon.local",
    )
    ids = [
        p["id"]
        for p in api.execute({"query": "{ patients(first: 100) { id } }"}, principal)["data"][
            "patients"
        ]
    ]
    turn = iter(range(10**9))

    def run(query: str, variables: dict | None = None) -> None:
        answer = api.execute({"query": query, "variables": variables}, principal)
        assert "errors" not in answer, answer["errors"]

    cases = {
        "patients(first: 25)": lambda: run(LIST),
        "patient detail (prescriptions + orders)": lambda: run(
            DETAIL, {"id": ids[next(turn) % len(ids)]}
        ),
        'patients(filter: {name: "son"})': lambda: run(SEARCH),
        "orders(first: 25)": lambda: run(ORDERS),
    }
    for name, fn in cases.items():
        fn()  # first call parses/validates the document and materializes records
        p50, p95 = _percentiles(_time(fn, args.runs))
        rows.append((f"{name} @ {args.patients:,}", f"p50 {p50:6.2f} ms   p95 {p95:6.2f} ms"))

    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  result")
    print(f"{'-' * width}  {'-' * 32}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
