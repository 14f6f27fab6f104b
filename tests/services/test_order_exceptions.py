"""Problems a pharmacy raised on an order reach the order detail (sandbox over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from test_sandbox_services import services

from photon_desktop.api import parse
from photon_desktop.domain import Order, OrderState
from photon_desktop.errors import ResponseError


def test_an_order_in_error_carries_its_exceptions(sandbox: Any, on_qt: Any) -> None:
    async def scenario(http: Any) -> None:
        s = services(sandbox, http)
        page = await s.orders.list(state=OrderState.ERROR, first=5)
        assert page.items, "the demo data has orders in ERROR"
        detail = await s.orders.get(page.items[0].id)
        assert [e.type for e in detail.exceptions] == ["PHARMACY_UNREACHABLE"]
        assert detail.exceptions[0].message
        # The list view does not ask for them: one request per detail, not per row.
        assert page.items[0].exceptions == ()

    on_qt(scenario)


def test_a_malformed_exception_is_a_response_error_not_a_crash(caplog: Any) -> None:
    answer = {
        "id": "ord_1",
        "state": "ERROR",
        "createdAt": "2026-11-29T10:00:00.000Z",
        "patient": {"id": "pat_1", "name": {"first": "A", "last": "B", "full": "A B"}},
        "fills": [],
        "exceptions": [{"message": "no type"}],
    }
    with pytest.raises(ResponseError):
        parse.record(Order, answer, "order")
    assert "order: exceptions.0.type: missing" in caplog.text
