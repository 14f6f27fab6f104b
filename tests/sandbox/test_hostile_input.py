"""Hostile or absurd input gets a clear 4xx or GraphQL error, never a 500 or a reset."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest

ORDERS = "query Orders { orders(first: 3) { id state } }"


def assert_orders_still_work(sandbox, gql) -> None:
    answer = gql(sandbox.graphql_url, sandbox.m2m_token(), ORDERS)
    assert answer.status_code == 200
    assert "errors" not in answer.json()
    assert len(answer.json()["data"]["orders"]) == 3


@pytest.mark.parametrize(
    "body",
    [
        '{"speed": Infinity}',
        '{"speed": -Infinity}',
        '{"speed": NaN}',
        '{"speed": 1e300}',
        '{"advance_seconds": Infinity}',
        '{"advance_seconds": NaN}',
        '{"advance_seconds": 1e300}',
    ],
)
def test_absurd_clock_settings_are_refused_and_the_clock_keeps_working(
    sandbox, http, gql, body
) -> None:
    before = datetime.fromisoformat(sandbox.admin("GET", "clock").json()["now"])
    answer = http.put(
        sandbox.admin_url + "/clock",
        content=body,
        headers={"X-Sandbox-Admin": sandbox.admin_key, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"]
    clock = sandbox.admin("GET", "clock")
    assert clock.status_code == 200
    assert clock.json()["speed"] == 1.0
    assert datetime.fromisoformat(clock.json()["now"]) >= before
    assert_orders_still_work(sandbox, gql)


DEEP_JSON = ["[" * 100_000, '{"a":' * 100_000]


@pytest.mark.parametrize("body", DEEP_JSON, ids=["arrays", "objects"])
def test_deeply_nested_json_to_the_token_endpoint_is_a_400(sandbox, http, body) -> None:
    answer = http.post(
        sandbox.token_url, content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("body", DEEP_JSON, ids=["arrays", "objects"])
def test_deeply_nested_json_to_graphql_is_a_400(sandbox, http, gql, body) -> None:
    answer = http.post(
        sandbox.graphql_url,
        content=body,
        headers={"Authorization": sandbox.m2m_token(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["errors"][0]["message"]
    assert_orders_still_work(sandbox, gql)


def _nested_patient_query(levels: int) -> str:
    """``patients { prescriptions { patient { prescriptions { ... id } } } }``: valid, deep."""
    hops = ["prescriptions", "patient"]
    fields = ["patients(first: 1)"] + [hops[n % 2] for n in range(levels - 2)]
    return "query { " + " { ".join(fields) + " { id" + " }" * (levels - 1) + " }"


def test_a_3000_deep_query_is_a_graphql_error(sandbox, gql) -> None:
    answer = gql(sandbox.graphql_url, sandbox.m2m_token(), _nested_patient_query(3000))
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["errorType"] == "GraphQLError"
    assert "deep" in error["message"]


def test_a_3000_long_chain_of_fragments_is_refused_by_the_depth_limit(sandbox, gql) -> None:
    chain = " ".join(
        f"fragment F{n} on Patient {{ prescriptions {{ patient {{ ...F{n + 1} }} }} }}"
        for n in range(3000)
    )
    query = f"query {{ patients(first: 1) {{ ...F0 }} }} {chain} fragment F3000 on Patient {{ id }}"
    answer = gql(sandbox.graphql_url, sandbox.m2m_token(), query)
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["message"] == "The query nests 6002 levels deep; the limit is 32."


def test_the_depth_limit_is_32_levels(sandbox, gql) -> None:
    token = sandbox.m2m_token()
    at_limit = gql(sandbox.graphql_url, token, _nested_patient_query(32)).json()
    assert "errors" not in at_limit, at_limit
    over = gql(sandbox.graphql_url, token, _nested_patient_query(33)).json()
    assert over["errors"][0]["message"] == "The query nests 33 levels deep; the limit is 32."


# -- Host header (DNS rebinding) -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_the_loopback_names_are_served(sandbox, http, name) -> None:
    port = urlsplit(sandbox.issuer).port
    answer = http.get(sandbox.jwks_url, headers={"Host": f"{name}:{port}"})
    assert answer.status_code == 200
    assert answer.json()["keys"]


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "evil.example", "127.0.0.1", "127.0.0.1:1", "127.0.0.2:{port}"]
)
def test_any_other_host_is_misdirected(sandbox, http, gql, host) -> None:
    port = urlsplit(sandbox.issuer).port
    headers = {"Host": host.format(port=port), "Authorization": sandbox.m2m_token()}
    answer = http.post(sandbox.graphql_url, json={"query": ORDERS}, headers=headers)
    assert answer.status_code == 421
    page = http.get(sandbox.authorize_url, headers={"Host": host.format(port=port)})
    assert page.status_code == 421
    assert_orders_still_work(sandbox, gql)
