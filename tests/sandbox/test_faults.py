"""Fault injection, seen from a client over real HTTP (plus the settings' validation)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from photon_desktop.sandbox.faults import FaultConfig, Faults

PATIENTS = "query Patients { patients(first: 1) { id } }"
CREATE_PATIENT = """mutation CreatePatient($last: String!) { createPatient(
  name: {first: "Ada", last: $last}, dateOfBirth: "2000-01-01", sex: FEMALE, phone: "2125550100")
  { id } }"""


@pytest.fixture(scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[Any]:
    """This module's own sandbox: a queued fault takes the next request, so a request still
    arriving from another test's app (a watcher's poll) must never be the one that takes it.
    Started by the suite's ``start_sandbox`` (tests/conftest.py, which the local conftest hides
    from an import by name)."""
    root = str(Path(__file__).parents[1] / "conftest.py")
    suite = next(
        plugin
        for plugin in request.config.pluginmanager.get_plugins()
        if getattr(plugin, "__file__", None) == root
    )
    info = suite.start_sandbox(patients=20)
    yield info
    code = info.stop()
    assert code == 0, info.stderr_text()
    info.stderr_text()


@pytest.fixture
def token(sandbox) -> str:
    return sandbox.m2m_token()


def created_patients(sandbox) -> int:
    return int(sandbox.stats()["clinical"]["mutations"].get("createPatient", 0))


def test_latency_slows_answers_past_a_clients_timeout(sandbox, gql, token) -> None:
    sandbox.set_faults(latency_ms=1500)
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(
            sandbox.graphql_url, json={"query": PATIENTS}, headers={"Authorization": token}
        )
    sandbox.reset_faults()
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200


def test_an_error_rate_of_one_answers_every_request_with_a_listed_5xx(sandbox, gql, token) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[502])
    for _ in range(3):
        assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 502
    # The scope is graphql: sign-in still works.
    assert sandbox.m2m_token()


def test_faults_can_target_the_token_endpoint(sandbox, gql, token) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503], scope="token")
    with pytest.raises(httpx.HTTPStatusError) as failed:
        sandbox.m2m_token()
    assert failed.value.response.status_code == 503
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200

    sandbox.set_faults(error_rate=1.0, error_statuses=[500], scope="both")
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 500
    with pytest.raises(httpx.HTTPStatusError):
        sandbox.m2m_token()


def test_rate_limit_answers_429_with_retry_after(sandbox, gql, token) -> None:
    sandbox.fail_next({"kind": "rate_limit", "retry_after": 7})
    limited = gql(sandbox.graphql_url, token, PATIENTS)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200


def test_a_rate_limit_share_uses_the_configured_retry_after(sandbox, gql, token) -> None:
    sandbox.set_faults(rate_limit_rate=1.0, retry_after=3)
    limited = gql(sandbox.graphql_url, token, PATIENTS)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "3")


def test_a_drop_closes_the_connection_without_running_the_request(sandbox, gql, token) -> None:
    before = created_patients(sandbox)
    sandbox.fail_next({"kind": "drop"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, CREATE_PATIENT, last="Dropped")
    assert created_patients(sandbox) == before


def test_drop_after_execute_keeps_the_write_but_loses_the_answer(sandbox, gql, token) -> None:
    before = created_patients(sandbox)
    sandbox.fail_next({"kind": "drop_after"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, CREATE_PATIENT, last="Executed")
    assert created_patients(sandbox) == before + 1


def test_a_drop_rate_of_one_drops_everything(sandbox, gql, token) -> None:
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, PATIENTS)


def test_malformed_answers_are_200_with_a_body_that_is_not_json(sandbox, gql, token) -> None:
    sandbox.set_faults(malformed_rate=1.0)
    answer = gql(sandbox.graphql_url, token, PATIENTS)
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_an_expired_token_fault_answers_like_a_token_past_its_exp(sandbox, gql, token) -> None:
    sandbox.fail_next({"kind": "expired_token"})
    rejected = gql(sandbox.graphql_url, token, PATIENTS)
    assert rejected.status_code == 401
    assert rejected.json()["errors"][0] == {
        "errorType": "UnauthorizedException",
        "message": "Token has expired.",
    }
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200  # one request only


def test_the_queue_applies_in_order_then_stops(sandbox, gql, token) -> None:
    sandbox.fail_next(
        {"kind": "status", "status": 503},
        {"kind": "drop"},
        {"kind": "rate_limit", "retry_after": 1},
        {"kind": "malformed"},
    )
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 503
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, PATIENTS)
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 429
    with pytest.raises(json.JSONDecodeError):
        gql(sandbox.graphql_url, token, PATIENTS).json()
    assert gql(sandbox.graphql_url, token, PATIENTS).json()["data"]["patients"]
    assert sandbox.admin("GET", "faults").json()["fail_next"] == []


def test_queued_faults_wait_for_a_request_of_their_scope(sandbox, gql, token) -> None:
    sandbox.fail_next({"kind": "status", "status": 500, "scope": "token"})
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200
    with pytest.raises(httpx.HTTPStatusError) as failed:
        sandbox.m2m_token()
    assert failed.value.response.status_code == 500
    assert sandbox.m2m_token()


def test_applied_faults_are_counted(sandbox, gql, token) -> None:
    before = sandbox.stats()["faults_applied"].get("graphql:status", 0)
    sandbox.fail_next({"kind": "status", "status": 500})
    gql(sandbox.graphql_url, token, PATIENTS)
    assert sandbox.stats()["faults_applied"]["graphql:status"] == before + 1


def test_resetting_clears_settings_and_queue(sandbox, gql, token) -> None:
    sandbox.set_faults(error_rate=1.0, fail_next=[{"kind": "drop"}])
    sandbox.reset_faults()
    assert sandbox.admin("GET", "faults").json() == {**_defaults(), "fail_next": []}
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200


def test_cli_options_set_faults_from_the_start(fresh_sandbox, gql) -> None:
    flaky = fresh_sandbox("--error-rate", "1", "--latency-ms", "5")
    settings = flaky.admin("GET", "faults").json()
    assert (settings["error_rate"], settings["latency_ms"]) == (1.0, 5)
    answer = gql(flaky.graphql_url, flaky.m2m_token(), PATIENTS)
    assert answer.status_code in (500, 502, 503)


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 2},
        {"error_rate": "often"},
        {"latency_ms": -1},
        {"scope": "admin"},
        {"error_statuses": [200]},
        {"surprise": True},
        {"fail_next": [{"kind": "explode"}]},
        {"fail_next": "drop"},
    ],
)
def test_bad_settings_are_refused_and_change_nothing(sandbox, settings) -> None:
    response = sandbox.admin("PUT", "faults", settings)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert sandbox.admin("GET", "faults").json() == {**_defaults(), "fail_next": []}


def test_a_bad_queue_entry_is_refused(sandbox) -> None:
    response = sandbox.admin("POST", "faults/next", {"faults": [{"kind": "status", "status": 99}]})
    assert response.status_code == 400


def test_rates_are_a_share_of_requests() -> None:
    faults = Faults(FaultConfig(error_rate=0.3), seed=7)
    picks = [faults.pick("graphql") for _ in range(2000)]
    share = sum(p is not None for p in picks) / len(picks)
    assert 0.25 < share < 0.35
    assert all(p.status in (500, 502, 503) for p in picks if p)
    assert faults.pick("token") is None  # not in scope


def _defaults() -> dict:
    return asdict(FaultConfig())


# -- write-safety: the write commits, the answer says otherwise ---------------------------------

CREATE_WITH_EXTERNAL_ID = """mutation CreatePatient($ext: ID!) { createPatient(
  name: {first: "Ada", last: "Lovelace"}, dateOfBirth: "2000-01-01", sex: FEMALE,
  phone: "2125550100", externalId: $ext) { id sex externalId } }"""


def records(sandbox, external_id: str) -> dict:
    answer = sandbox.admin("GET", f"records?externalId={external_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_error_after_commits_the_write_then_answers_a_graphql_error(sandbox, gql, token) -> None:
    ext = f"ext-{secrets.token_hex(6)}"
    sandbox.fail_next({"kind": "error_after"})
    answer = gql(sandbox.graphql_url, token, CREATE_WITH_EXTERNAL_ID, ext=ext)
    assert answer.status_code == 200
    assert answer.json()["data"] is None
    assert answer.json()["errors"][0]["errorType"] == "InternalFailure"
    found = records(sandbox, ext)
    assert (found["patients"], found["prescriptions"], found["orders"]) == (1, 0, 0)
    assert found["ids"][0].startswith("pat_")
    # Retrying blindly is refused by the externalId; the record still exists exactly once.
    retry = gql(sandbox.graphql_url, token, CREATE_WITH_EXTERNAL_ID, ext=ext).json()
    assert retry["errors"][0]["errorType"] == "ValidationError"
    assert records(sandbox, ext)["patients"] == 1


def test_bad_enum_after_commits_the_write_then_answers_an_unknown_enum(sandbox, gql, token) -> None:
    ext = f"ext-{secrets.token_hex(6)}"
    sandbox.fail_next({"kind": "bad_enum_after"})
    answer = gql(sandbox.graphql_url, token, CREATE_WITH_EXTERNAL_ID, ext=ext).json()
    created = answer["data"]["createPatient"]
    assert created["sex"] == "SANDBOX_UNKNOWN_VALUE"  # not a Sex the schema defines
    assert created["externalId"] == ext
    assert records(sandbox, ext)["ids"] == [created["id"]]
    again = gql(sandbox.graphql_url, token, PATIENT_SEX, id=created["id"]).json()
    assert again["data"]["patient"]["sex"] == "FEMALE"  # the next answer is honest


PATIENT_SEX = "query($id: ID!) { patient(id: $id) { sex } }"


def test_drop_after_leaves_exactly_one_record_to_find(sandbox, gql, token) -> None:
    ext = f"ext-{secrets.token_hex(6)}"
    sandbox.fail_next({"kind": "drop_after"})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, CREATE_WITH_EXTERNAL_ID, ext=ext)
    assert records(sandbox, ext)["patients"] == 1


@pytest.mark.parametrize("kind", ["error_after", "bad_enum_after"])
def test_write_safety_rates_apply_to_graphql_only(sandbox, gql, token, kind) -> None:
    sandbox.set_faults(**{f"{kind}_execute_rate": 1.0}, scope="both")
    ext = f"ext-{secrets.token_hex(6)}"
    answer = gql(sandbox.graphql_url, token, CREATE_WITH_EXTERNAL_ID, ext=ext).json()
    assert records(sandbox, ext)["patients"] == 1
    assert answer.get("errors") or answer["data"]["createPatient"]["sex"] != "FEMALE"
    assert sandbox.m2m_token()  # sign-in is not spoiled
    assert sandbox.stats()["faults_applied"][f"graphql:{kind}"] >= 1


@pytest.mark.parametrize("scope", ["token", "both"])
def test_write_safety_faults_cannot_target_sign_in(sandbox, scope) -> None:
    answer = sandbox.admin(
        "POST", "faults/next", {"faults": [{"kind": "error_after", "scope": scope}]}
    )
    assert answer.status_code == 400
    assert "graphql only" in answer.json()["errors"][0]["message"]


def test_counting_by_external_id_needs_the_admin_key_and_an_id(sandbox, http) -> None:
    assert http.get(sandbox.admin_url + "/records?externalId=x").status_code == 401
    assert sandbox.admin("GET", "records").status_code == 400
    assert records(sandbox, "never-used") == {
        "externalId": "never-used",
        "patients": 0,
        "prescriptions": 0,
        "orders": 0,
        "ids": [],
    }


def test_faults_for_named_operations_leave_other_requests_alone(sandbox, gql, token) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[500], operations=["CreatePatient"])
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200
    before = created_patients(sandbox)
    assert gql(sandbox.graphql_url, token, CREATE_PATIENT, last="Named").status_code == 500
    assert created_patients(sandbox) == before  # refused before it ran

    sandbox.reset_faults()
    sandbox.fail_next({"kind": "drop_after", "operation": "CreatePatient"})
    assert gql(sandbox.graphql_url, token, PATIENTS).status_code == 200  # not its operation
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        gql(sandbox.graphql_url, token, CREATE_PATIENT, last="Queued")
    assert created_patients(sandbox) == before + 1  # the body reached the API unchanged
    assert sandbox.admin("GET", "faults").json()["fail_next"] == []


def test_a_stalled_request_is_held_unanswered_and_counted(sandbox, token) -> None:
    sandbox.fail_next({"kind": "stall"})
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.post(
            sandbox.graphql_url,
            json={"query": CREATE_PATIENT, "variables": {"last": "Held"}},
            headers={"Authorization": token},
        )
    assert sandbox.stats()["faults_applied"]["graphql:stall"] >= 1


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"operations": "CreatePatient"}, "operations must be a list"),
        ({"fail_next": [{"kind": "drop", "operation": ""}]}, "operation must be"),
        ({"fail_next": [{"kind": "drop", "operation": "X", "scope": "token"}]}, "graphql only"),
    ],
)
def test_operation_names_are_checked(sandbox, raw, problem) -> None:
    answer = sandbox.admin("PUT", "faults", raw)
    assert answer.status_code == 400 and problem in answer.text
