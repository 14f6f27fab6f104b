"""Orders: list with filters and paging, detail, create, cancel with a reason, reroute."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from photon_desktop.api import parse
from photon_desktop.api.client import GraphQLClient
from photon_desktop.domain import AddressInput, Order, OrderState, Page
from photon_desktop.errors import InvalidInput, NotFound, PhotonError, StateConflict
from photon_desktop.services.inputs import address_vars, set_only
from photon_desktop.services.outcomes import CHECK_PAGE, Submissions, find_in_pages, settle

NOT_FOUND = (
    "This order was not found. It may have been removed, or it belongs to another organization."
)


ALREADY_CANCELED = "This order was already canceled; nothing was changed."


class OrdersService:
    def __init__(self, client: GraphQLClient) -> None:
        self._client = client
        self._submissions = Submissions()

    async def list(
        self,
        *,
        patient_id: str | None = None,
        patient_name: str | None = None,
        state: OrderState | None = None,
        after: str | None = None,
        first: int = 25,
    ) -> Page[Order]:
        filter_ = {
            "patientId": patient_id,
            "patientName": patient_name or None,
            "state": state.value if state else None,
        }
        variables: dict[str, Any] = {
            "filter": set_only(filter_),
            "after": after,
            "first": first,
        }
        data = await self._client.query("ListOrders", variables)
        return parse.cursor_page(Order, data, "orders", first)

    async def get(self, order_id: str) -> Order:
        data = await self._client.query("GetOrder", {"id": order_id})
        if parse.field_or_none(data, "order") is None:
            raise NotFound(NOT_FOUND)
        return parse.one(Order, data, "order")

    async def create(
        self,
        patient_id: str,
        prescription_ids: Sequence[str],
        address: AddressInput,
        pharmacy_id: str | None = None,
        external_id: str | None = None,
    ) -> Order:
        """Send an order once. ``external_id``: the submission's id (``new_external_id()``, once
        per form, the same for every resend), so a resend of a saved order returns that order."""
        content = (patient_id, tuple(prescription_ids), address, pharmacy_id)
        external_id = self._submissions.external_id(external_id, content)
        variables = {
            "patientId": patient_id,
            "fills": [{"prescriptionId": rx} for rx in prescription_ids],
            "address": address_vars(address),
            "pharmacyId": pharmacy_id,
            "externalId": external_id,
        }

        async def write() -> Order:
            answer = await self._client.query("CreateOrder", variables)
            return parse.one(Order, answer, "createOrder")

        return await self._submissions.send(
            content,
            write,
            lambda: self._find(patient_id, external_id),
            what="order",
            where="the patient's orders",
        )

    async def cancel(self, order_id: str, reason: str | None = None) -> Order:
        """Cancel once; an order that is already canceled (or past canceling) says so."""

        async def write() -> Order:
            answer = await self._client.query("CancelOrder", {"id": order_id, "reason": reason})
            return parse.one(Order, answer, "cancelOrder")

        async def check() -> Order | None:
            current = await self.get(order_id)
            return current if current.state is OrderState.CANCELED else None

        try:
            return await settle(write, check, what="cancellation", where="the order's state")
        except InvalidInput as refused:
            raise await self._why_not(order_id, refused, "canceled") from refused

    async def reroute(self, order_id: str, pharmacy_id: str) -> Order:
        """Send the order to another pharmacy; if it is already there, that is the result."""

        async def write() -> Order:
            answer = await self._client.query(
                "RouteOrder", {"id": order_id, "pharmacyId": pharmacy_id}
            )
            return parse.one(Order, answer, "routeOrder")

        async def check() -> Order | None:
            current = await self.get(order_id)
            routed = current.pharmacy is not None and current.pharmacy.id == pharmacy_id
            return current if routed and current.state is not OrderState.CANCELED else None

        try:
            return await settle(
                write,
                check,
                what="new pharmacy",
                where="the order's pharmacy",
                recheck=InvalidInput,
            )
        except InvalidInput as refused:
            if "pharmacyId" in refused.fields:
                raise
            raise await self._why_not(order_id, refused, "sent to another pharmacy") from refused

    async def _why_not(self, order_id: str, refused: InvalidInput, change: str) -> PhotonError:
        """A refusal about the order itself (not a field of the form): say what state it is in."""
        if set(refused.fields) - {"id"}:
            return refused
        try:
            state = (await self.get(order_id)).state
        except PhotonError:
            return refused
        if state is OrderState.CANCELED:
            if change == "canceled":
                return StateConflict(ALREADY_CANCELED)
            return StateConflict(f"This order was canceled, so it can no longer be {change}.")
        if state is OrderState.COMPLETED:
            return StateConflict(f"This order is completed, so it can no longer be {change}.")
        return StateConflict(
            f"Photon would not let this order be {change} while it is "
            f"{state.value.lower()}. Reload the order to see its state, then try again."
        )

    async def _find(self, patient_id: str, external_id: str) -> Order | None:
        """The saved order, whole: list rows carry no fills, so the one found is read again."""
        found = await find_in_pages(
            lambda after: self.list(patient_id=patient_id, after=after, first=CHECK_PAGE),
            lambda order: order.external_id == external_id,
        )
        return None if found is None else await self.get(found.id)
