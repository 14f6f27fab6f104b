"""The support tools' service layer alone (no Qt, no network): schema validation and completion,
what the console's history may keep, the ticket bundle's redaction account, and the CSV writer."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from photon_desktop.api import parse
from photon_desktop.api.request_log import RequestLog
from photon_desktop.domain import Name, Page, Patient, PatientSummary, Sex
from photon_desktop.errors import InvalidInput, OfflineError
from photon_desktop.redact import redact_graphql
from photon_desktop.services import console, support


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("query { patient(id: 1) { name { f", ["first", "full"]),
        ("query { patients(fi", ["filter", "first"]),
        ("query { patients(filter: {name: $n}, fi", ["filter", "first"]),
        ("query { prescriptions(filter: {state: DE", ["DEPLETED"]),
        ("mutation { cancelOrder(", ["id", "reason"]),
        ("query { orders(filter: {pa", ["patientId", "patientName"]),
        ("query { orders(filter: {state: PLACED, pat", ["patientId", "patientName"]),
        ("query { nothing_here { x", []),
    ],
)
def test_completions_follow_the_schema(text: str, expected: list[str]) -> None:
    _prefix, found = console.completions(text, len(text))
    assert found == expected


def test_validation_points_at_the_problem() -> None:
    text = "query {\n  patients(first: 2) {\n    id\n    nope\n  }\n}"
    (problem,) = console.validate(text)
    assert (problem.line, problem.column, problem.length) == (4, 5, 4)
    assert "nope" in problem.message
    assert console.validate("query { patients(")[0].message.startswith("Syntax Error")
    assert console.validate("   ")[0].message == "Write a query first."
    assert console.validate("query { patients(first: 1) { id } }") == []


def test_a_mutation_names_the_permissions_it_needs() -> None:
    op = console.describe(
        'mutation { cancelOrder(orderId: "o") { id } createPatient(name: {first: "a", '
        'last: "b"}, dateOfBirth: "2000-01-01", sex: MALE, phone: "1") { id } }'
    )
    assert op.is_mutation and op.permissions == ("write:order", "write:patient")
    assert not console.describe("query { patients { id } }").is_mutation


def test_history_keeps_the_shape_never_the_values() -> None:
    entry = json.loads(
        console.history_entry(
            'query { patients(filter: {name: "Okafor"}, first: 3) { id } } # for Maya',
            {"name": "Okafor", "after": "pat_1"},
        )
    )
    assert "Okafor" not in json.dumps(entry) and "Maya" not in json.dumps(entry)
    assert "first: 3" in entry["query"] and entry["variables"]["after"] == "pat_1"
    assert redact_graphql('{ a(x: "Ann \\" B") # Ann\n}') == '{ a(x: "***") # ***\n}'


def test_variables_must_be_a_json_object() -> None:
    assert console.parse_variables(" ") == {}
    with pytest.raises(InvalidInput, match="line 1, column 2"):
        console.parse_variables("{name}")
    with pytest.raises(InvalidInput, match="JSON object"):
        console.parse_variables("[1]")


def test_the_bundle_counts_what_it_removed() -> None:
    log = RequestLog()
    log.record(
        "SearchPatients",
        {"name": "Okafor", "after": "pat_9"},
        status=200,
        duration_ms=12,
        size_bytes=100,
        answer={
            "data": {
                "patients": [{"id": "pat_1", "name": {"last": "Okafor"}, "externalId": "MRN-4411"}]
            }
        },
        query='query { patients(filter: {name: "Okafor"}) { id } }',
    )
    log.record(
        "GetPatient",
        {"id": "pat_1"},
        status=None,
        duration_ms=5,
        size_bytes=0,
        error="OfflineError: Authorization: Bearer eyJabc.def.ghi failed for a@b.example",
        error_kind="OfflineError",
    )
    bundle = support.ticket_bundle(log.entries, environment="Local sandbox", app_version="9.9")
    text = bundle.text()
    assert "Okafor" not in text and "eyJabc" not in text and "a@b.example" not in text
    assert "MRN-4411" not in text  # a clinic's own patient id is patient detail too
    assert "pat_9" in text and "pat_1" in text
    assert bundle.content["app_version"] == "9.9"
    assert bundle.removed == {"variable values": 1, "answer values": 2}
    assert "variable values (1)" in bundle.summary()
    assert support.ticket_bundle([], environment="x").summary().startswith("Nothing needed")


def person(n: int, with_address: bool = False) -> PatientSummary:
    """A patient as Photon answers it, read as the app reads it."""
    data: dict[str, object] = {
        "id": f"pat_{n}",
        "name": {"first": f"F{n}", "last": f"L{n}", "full": f"F{n} L{n}"},
        "dateOfBirth": "1990-01-02",
        "sex": "FEMALE",
        "phone": "+12025550100",
    }
    if with_address:
        data["address"] = {
            "street1": "1 Main", "city": "Boston", "state": "MA", "postalCode": "02115",
            "country": "US",
        }  # fmt: skip
        return parse.record(Patient, data, "patient")
    return parse.record(PatientSummary, data, "patient")


def test_csv_has_every_column_the_type_can_fill_and_pages_until_the_end(tmp_path: Path) -> None:
    pages = {
        None: Page((person(1), person(2)), cursor="pat_2", has_more=True),
        "pat_2": Page((person(3, with_address=True),), cursor=None, has_more=False),
    }
    seen: list[int] = []

    async def page(after: str | None) -> Page[Patient]:
        return pages[after]  # type: ignore[return-value]

    path = tmp_path / "p.csv"
    count = asyncio.run(support.export_csv(page, path, record=PatientSummary, progress=seen.append))
    assert count == 3 and seen == [2, 3]
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == ["pat_1", "pat_2", "pat_3"]
    assert rows[0]["sex"] == Sex.FEMALE.value and rows[0]["date_of_birth"] == "1990-01-02"
    assert rows[0]["name.first"] == "F1" and isinstance(person(1).name, Name)


def test_an_export_that_finds_nothing_is_a_csv_with_its_header(tmp_path: Path) -> None:
    async def page(after: str | None) -> Page[PatientSummary]:
        return Page((), cursor=None, has_more=False)

    path = tmp_path / "none.csv"
    assert asyncio.run(support.export_csv(page, path, record=PatientSummary)) == 0
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert list(reader) == []
        assert reader.fieldnames is not None
        assert {"id", "name.first", "name.last", "date_of_birth"} <= set(reader.fieldnames)


def test_a_failed_export_leaves_no_file(tmp_path: Path) -> None:
    async def page(after: str | None) -> Page[PatientSummary]:
        if after:
            raise OfflineError("gone")
        return Page((person(1),), cursor="pat_1", has_more=True)

    path = tmp_path / "p.csv"
    with pytest.raises(OfflineError):
        asyncio.run(support.export_csv(page, path, record=PatientSummary))
    assert list(tmp_path.iterdir()) == []
