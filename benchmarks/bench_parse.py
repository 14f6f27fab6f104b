"""Parse 10,000 patient summaries: the msgspec parser against the hand-written one of an older
revision and against msgspec into plain structs.

Run: ``.venv/bin/python benchmarks/bench_parse.py [--patients 10000] [--runs 15]
[--baseline REV]``.

The answer is real: the app's own ``SearchPatients`` document executed by the sandbox's
Clinical API in process (seed 1), paged 100 at a time and joined into one ``data`` object, so
every field is as the app receives it. The baseline is the hand-written ``api/parse.py`` and the
``domain`` records of the git revision ``--baseline`` (read with ``git show``, loaded as
throw-away modules), so both run in this interpreter on the same data. Plain structs (no
``After`` functions, msgspec's own date parser, no ``parse`` around them) show what the records'
own work costs. Prints min and median wall time per parse of all rows. Nothing is asserted:
timings belong in scripts, not tests.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from photon_desktop.api import documents, parse
from photon_desktop.domain import PatientSummary, Sex
from photon_desktop.sandbox import accounts
from photon_desktop.sandbox.accounts import Principal
from photon_desktop.sandbox.graphql.api import ClinicalAPI

ROOT = Path(__file__).resolve().parents[1]
PAGE = 100


def summaries(count: int) -> dict[str, Any]:
    """``{"patients": [...]}`` with ``count`` rows, as ``SearchPatients`` answers them."""
    api = ClinicalAPI(seed=1, patients=count)
    principal = Principal(
        subject="bench",
        client_id="bench",
        org_id=api.org_id,
        permissions=frozenset(accounts.ALL_PERMISSIONS),
        user_email=None,
    )
    query = documents.load("SearchPatients").text
    rows: list[dict[str, Any]] = []
    after = None
    while len(rows) < count:
        variables = {"first": PAGE, "after": after}
        answer = api.execute({"query": query, "variables": variables}, principal)
        page = answer["data"]["patients"]
        if not page:
            break
        rows.extend(page)
        after = page[-1]["id"]
    return {"patients": rows[:count]}


def baseline(revision: str) -> Callable[[dict[str, Any]], tuple[Any, ...]] | None:
    """The hand-written parser of ``revision``, or None if that revision has none."""

    def show(path: str) -> str | None:
        done = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True, text=True
        )
        return done.stdout if done.returncode == 0 else None

    records = show("photon_desktop/domain/records.py")
    source = show("photon_desktop/api/parse.py")
    if records is None or source is None or "def patient_summary(" not in source:
        return None
    old_domain = types.ModuleType("baseline_domain")
    sys.modules[old_domain.__name__] = old_domain
    exec(compile(records, "baseline/records.py", "exec"), old_domain.__dict__)
    old_parse = types.ModuleType("baseline_parse")
    sys.modules[old_parse.__name__] = old_parse
    source = source.replace("from photon_desktop.domain import", "from baseline_domain import")
    exec(compile(source, "baseline/parse.py", "exec"), old_parse.__dict__)
    return lambda data: old_parse.items(old_parse.patient_summary, data, "patients")


class StructName(msgspec.Struct, frozen=True):
    first: str
    last: str
    full: str | None = None
    middle: str | None = None
    title: str | None = None


class StructRow(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    name: StructName
    date_of_birth: date
    sex: Sex
    phone: str
    email: str | None = None
    external_id: str | None = None
    gender: str | None = None


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: first call builds caches (msgspec's type information, each record's plan)
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--patients", type=int, default=10_000)
    options.add_argument("--runs", type=int, default=15)
    # 42c29a2: the last revision with the hand-written parser (records in domain/records.py).
    options.add_argument("--baseline", default="42c29a2", help="git revision of the old parser")
    args = options.parse_args()

    data = summaries(args.patients)
    count = len(data["patients"])
    cases: dict[str, Callable[[], object]] = {}
    old = baseline(args.baseline)
    if old is not None:
        cases[f"hand-written parser ({args.baseline})"] = lambda: old(data)
    else:
        print(f"{args.baseline} has no hand-written parser; measuring the current one only")
    cases["msgspec records (this tree)"] = lambda: parse.items(PatientSummary, data, "patients")
    cases["msgspec plain structs (comparison)"] = lambda: msgspec.convert(
        data["patients"], list[StructRow]
    )

    print(f"parse {count:,} patient summaries, {args.runs} runs each")
    for name, fn in cases.items():
        samples = timed(fn, args.runs)
        print(
            f"{name:<36} min {min(samples):7.1f} ms   median {statistics.median(samples):7.1f} ms"
        )


if __name__ == "__main__":
    main()
