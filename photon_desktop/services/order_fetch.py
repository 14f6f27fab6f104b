"""How the order watcher reads Photon: the aliased ``WatchOrders`` page and ``GetOrder``.

``OrderFetcher`` is what the watcher needs; tests give it an in-memory Photon instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import Order, OrderState
from photon_desktop.services.orders import OrdersService

OPEN_STATES = (OrderState.ROUTING, OrderState.PENDING, OrderState.PLACED)


class OrderFetcher(Protocol):
    """What the watcher reads; ``services.order_watcher.GraphQLOrderFetcher`` is the real one."""

    async def open_page(
        self, cursors: Mapping[OrderState, str | None], first: int
    ) -> Mapping[OrderState, Sequence[Order]]: ...

    async def get(self, order_id: str) -> Order: ...


class GraphQLOrderFetcher:
    """Reads for the watcher: the aliased ``WatchOrders`` page and ``GetOrder``."""

    def __init__(self, client: GraphQLClient, orders: OrdersService) -> None:
        self._client = client
        self._orders = orders

    async def open_page(
        self, cursors: Mapping[OrderState, str | None], first: int
    ) -> Mapping[OrderState, Sequence[Order]]:
        variables: dict[str, Any] = {"first": first}
        for state in (*OPEN_STATES, OrderState.ERROR):
            key = state.value.lower()
            variables[key] = state in cursors
            variables["after" + key.capitalize()] = cursors.get(state)
        data = await self._client.query("WatchOrders", variables)
        return {state: parse.items(Order, data, state.value.lower()) for state in cursors}

    async def get(self, order_id: str) -> Order:
        return await self._orders.get(order_id)
