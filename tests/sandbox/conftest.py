"""Fixtures for the sandbox server tests: an HTTP client and GraphQL calls over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

Gql = Callable[..., httpx.Response]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def gql(http: httpx.Client) -> Gql:
    """``gql(url, token, query, bearer=True, **variables)``: one POST /graphql."""

    def call(
        url: str, token: str | None, query: str, *, bearer: bool = True, **variables: Any
    ) -> httpx.Response:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}" if bearer else token
        return http.post(url, json={"query": query, "variables": variables}, headers=headers)

    return call
