"""The patient page's order rows read the same state as the list and detail: a row it loads is
shared with the watcher, and later changes reach the row."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from test_records_sandbox import connected
from watch_fakes import FakePhoton, FakeTime, order
from watch_support import fake_time_watch, round_done

from photon_desktop.domain import FulfillmentState, Order, OrderState
from photon_desktop.ui.common.rows_table import RowsModel
from photon_desktop.ui.orders.list import COLUMNS
from photon_desktop.ui.worklist.wiring import keep_rows_current


def test_patient_rows_share_and_follow_the_watcher(arun: Callable[..., Any], sandbox: Any) -> None:
    fake = FakePhoton([order(1), order(2, fulfillment=FulfillmentState.RECEIVED)])

    async def scenario() -> None:
        async with connected(sandbox) as workspace, AsyncExitStack() as stack:
            time = FakeTime()
            watch = fake_time_watch(workspace, time, fake)
            stack.callback(watch.stop)
            await round_done(watch, time, 0)
            model: RowsModel[Order] = RowsModel(COLUMNS)
            keep_rows_current(model, watch)

            # The patient page's own (just read) rows: order 1 has completed meanwhile.
            fake.set(order(1, OrderState.COMPLETED))
            model.set_rows(
                [order(1, OrderState.COMPLETED), order(2, fulfillment=FulfillmentState.RECEIVED)]
            )
            assert watch.get("ord_0001").state is OrderState.COMPLETED  # type: ignore[union-attr]

            fake.set(order(2, fulfillment=FulfillmentState.READY))
            await round_done(watch, time, 30)
            second = model.item(1)
            assert second.fulfillment is not None
            assert second.fulfillment.state is FulfillmentState.READY
            assert model.item(0).state is OrderState.COMPLETED

    arun(scenario(), timeout=30)
