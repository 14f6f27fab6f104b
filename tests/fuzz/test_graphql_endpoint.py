"""The sandbox's GraphQL endpoint under generated queries: valid and invalid, from the schema.

Every query and mutation ``hypothesis-graphql`` builds from ``photon_desktop/schema.graphql``
(including ones with exactly one schema violation) goes to a private sandbox over HTTP. The
sandbox must answer every one in the GraphQL shape, never with a 5xx, count each request once,
keep its record counts equal to its demo data plus the creations it reports, and go on answering
a normal query.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import hypothesis_graphql
import pytest
from graphql import StringValueNode
from hypothesis import given
from hypothesis import strategies as st
from profiles import fuzz

import photon_desktop

SCHEMA = (Path(photon_desktop.__file__).parent / "schema.graphql").read_text()
PATIENTS = 12
PRESCRIBER = "prescriber@sandbox.photon.local"
NORMAL = "query Normal { patients(first: 2) { id name { full } } }"

IDS = """query Ids { patients(first: 5) { id } prescriptions(first: 10) { id }
  orders(first: 10) { id } pharmacies(first: 3) { id } medications(first: 3) { id } }"""

_text = st.text(max_size=24)
_phone = st.from_regex(r"\+1[2-9][0-9]{9}", fullmatch=True)
_words = st.one_of(
    st.sampled_from(["NY", "10014", "US", "350 Hudson St", "New York", "Tablet", "Take one"]),
    st.text("abcdefghijklmnop ", min_size=1, max_size=12),
)


def _string(values: st.SearchStrategy[str]) -> st.SearchStrategy[StringValueNode]:
    return values.map(lambda v: StringValueNode(value=v))


#: Anything in the scalars' places: the endpoint must refuse the ill-formed clearly.
ANY_SCALARS = {
    "AWSDate": _string(st.one_of(st.dates().map(str), _text)),
    "AWSDateTime": _string(st.one_of(st.datetimes().map(lambda d: d.isoformat() + "Z"), _text)),
    "AWSEmail": _string(st.one_of(st.emails(), _text)),
    "AWSPhone": _string(st.one_of(_phone, _text)),
}
#: Well-formed values only, so generated writes get past validation and change records.
WELL_FORMED = {
    "AWSDate": _string(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1)).map(str)),
    "AWSDateTime": _string(st.datetimes().map(lambda d: d.isoformat() + "Z")),
    "AWSEmail": _string(st.emails()),
    "AWSPhone": _string(_phone),
    "String": _string(_words),
}
#: The writes the app sends, with the kinds of record their ids name.
APP_WRITES = {
    "createPatient": ("patients",),
    "updatePatient": ("patients",),
    "createPrescription": ("patients", "medications"),
    "cancelPrescription": ("prescriptions",),
    "createOrder": ("patients", "prescriptions", "pharmacies"),
    "cancelOrder": ("orders",),
    "routeOrder": ("orders", "pharmacies"),
}


def known_ids(answer: dict[str, Any]) -> dict[str, list[str]]:
    """Ids of the sandbox's own records by kind, so generated writes reach real records."""
    return {kind: [item["id"] for item in items] for kind, items in answer["data"].items()}


def strategy(case: str, ids: dict[str, list[str]]) -> st.SearchStrategy[str]:
    if case == "app writes":

        def write(field: str) -> st.SearchStrategy[str]:
            own = [i for kind in APP_WRITES[field] for i in ids[kind]]
            scalars = {**WELL_FORMED, "ID": _string(st.sampled_from(own))}
            return hypothesis_graphql.from_schema(
                SCHEMA, fields=[field], custom_scalars=scalars, allow_null=False
            )

        return st.sampled_from(sorted(APP_WRITES)).flatmap(write)
    every_id = sorted(i for values in ids.values() for i in values)
    record_ids = {"ID": _string(st.one_of(st.sampled_from(every_id), _text))}
    mode = (
        hypothesis_graphql.Mode.NEGATIVE if case == "invalid" else hypothesis_graphql.Mode.POSITIVE
    )
    return hypothesis_graphql.from_schema(
        SCHEMA, custom_scalars={**ANY_SCALARS, **record_ids}, mode=mode
    )


def totals(stats: dict[str, Any]) -> tuple[int, dict[str, int]]:
    clinical = stats["clinical"]
    return sum(stats["graphql_requests"].values()), {
        kind: int(clinical[kind]) for kind in ("patients", "prescriptions", "orders")
    }


def consistent_counts(stats: dict[str, Any], start: dict[str, int]) -> None:
    """Records only grow, and patients and orders by exactly the creations counted."""
    _, now = totals(stats)
    made = stats["clinical"]["mutations"]
    assert now["patients"] == start["patients"] + made.get("createPatient", 0), (now, made)
    assert now["orders"] == start["orders"] + made.get("createOrder", 0), (now, made)
    assert now["prescriptions"] >= start["prescriptions"]


def graphql_shaped(answer: Any) -> None:
    assert answer.status_code < 500, answer.text
    body = answer.json()  # never a non-JSON answer
    assert isinstance(body, dict) and ("data" in body or "errors" in body), body
    for error in body.get("errors") or []:
        assert isinstance(error.get("message"), str) and error["message"], error


@pytest.mark.parametrize("case", ["valid", "invalid", "app writes"])
def test_generated_operations_never_break_the_sandbox(
    fresh_sandbox: Any, http: Any, case: str
) -> None:
    sandbox = fresh_sandbox(patients=PATIENTS)
    headers = {"Authorization": f"Bearer {sandbox.user_token(PRESCRIBER)}"}
    sent, start = totals(sandbox.stats())

    def post(query: str) -> Any:
        return http.post(sandbox.graphql_url, json={"query": query}, headers=headers)

    sent += 1  # the Ids query
    ids = known_ids(post(IDS).json())
    assert all(ids.values()), ids

    @fuzz(examples=60)
    @given(strategy(case, ids))
    def example(query: str) -> None:
        nonlocal sent
        graphql_shaped(post(query))
        normal = post(NORMAL)
        assert normal.status_code == 200 and len(normal.json()["data"]["patients"]) == 2
        stats = sandbox.stats()
        sent += 2
        assert totals(stats)[0] == sent  # each request counted once, none lost
        consistent_counts(stats, start)

    example()
    if case == "app writes":  # the generated writes reached the code that writes
        assert sandbox.stats()["clinical"]["mutations"], "no generated write took effect"
