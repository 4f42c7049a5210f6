"""The order sweeper against the synthesized workflow in moto: it restarts the orders left open too long, which then
finish with each effect once; it leaves young orders alone and counts the ones open far too long."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.order_sweeper import handler as sweeper
from lambdas.order_sweeper.repository import OpenOrders, Workflow
from lambdas.order_sweeper.sweep import OpenOrder, open_since_bound, plan, restart_input
from lambdas.shared.table_keys import OPEN_ORDERS
from tests.support.event_store import StoreFeeder
from tests.support.order_operations import age_open_order, finish_started, operated_workflow, order_left_at, status
from tests.support.workflow_harness import TABLE_NAME, WorkflowHarness

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WorkflowHarness, StoreFeeder]]:
    with operated_workflow(monkeypatch) as found:
        yield found


def settings(harness: WorkflowHarness) -> sweeper.Settings:
    return sweeper.Settings(table_name=TABLE_NAME, open_orders_index=OPEN_ORDERS.name,
                            state_machine_arn=harness.state_machine_arn, stuck_after_seconds="900",
                            report_after_seconds="3600")  # fmt: skip


def sweep(harness: WorkflowHarness) -> dict[str, int]:
    return sweeper.sweep(OpenOrders(TABLE_NAME, OPEN_ORDERS.name, harness.dynamodb),
                         Workflow(harness.state_machine_arn, harness.stepfunctions), settings(harness), now=NOW,
                         sweep_id="sweep-1")  # fmt: skip


@pytest.mark.parametrize("stopped_after", ["ProcessOrder", "CheckInventory", "ShipOrder"])
def test_an_order_left_open_too_long_is_restarted_and_finishes_once(
    world: tuple[WorkflowHarness, StoreFeeder], stopped_after: str
) -> None:
    harness, _ = world
    order_left_at(harness, "o-1", stopped_after)
    age_open_order(harness, "o-1", "2026-12-06T11:30:00.000Z")  # 30 minutes before the sweep

    assert sweep(harness) == {"restarted": 1, "openTooLong": 0}
    assert set(finish_started(harness)) >= {"SUCCEEDED"}

    assert status(harness, "o-1") == "SHIPPED"
    assert (harness.stock("p-1"), harness.stock("p-2")) == (8, 4)
    order = harness.get("ORDER#o-1")
    assert order is not None
    assert "openShard" not in order  # settled: the next sweep does not see it
    assert sweep(harness) == {"restarted": 0, "openTooLong": 0}


def test_a_young_or_settled_order_is_left_alone(world: tuple[WorkflowHarness, StoreFeeder]) -> None:
    harness, _ = world
    order_left_at(harness, "o-young", "CheckInventory")
    age_open_order(harness, "o-young", "2026-12-06T11:50:00.000Z")  # 10 minutes: an execution may still run
    order_left_at(harness, "o-done", "MarkShipped")
    age_open_order(harness, "o-done", "2026-12-06T10:00:00.000Z")  # old, but settled: not in the index any more

    assert sweep(harness) == {"restarted": 0, "openTooLong": 0}
    assert status(harness, "o-young") == "RESERVED"


def test_an_order_open_for_hours_is_restarted_and_counted_for_the_alarm(
    world: tuple[WorkflowHarness, StoreFeeder],
) -> None:
    harness, _ = world
    order_left_at(harness, "o-old", "ProcessOrder")
    age_open_order(harness, "o-old", "2026-12-06T09:00:00.000Z")

    assert sweep(harness) == {"restarted": 1, "openTooLong": 1}


def test_the_handler_sweeps_with_its_settings(
    world: tuple[WorkflowHarness, StoreFeeder], monkeypatch: pytest.MonkeyPatch
) -> None:
    harness, _ = world
    for name, value in {"TABLE_NAME": TABLE_NAME, "OPEN_ORDERS_INDEX": OPEN_ORDERS.name,
                        "STATE_MACHINE_ARN": harness.state_machine_arn, "STUCK_AFTER_SECONDS": "900",
                        "REPORT_AFTER_SECONDS": "3600"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    sweeper._dependencies.cache_clear()
    assert sweeper.handler({"id": "scheduled-1"}, FakeLambdaContext(function_name="order-sweeper")) == {
        "restarted": 0, "openTooLong": 0}  # fmt: skip
    sweeper._dependencies.cache_clear()


def test_the_plan_restarts_oldest_first_and_reports_past_the_bound() -> None:
    young, old = OpenOrder("o-2", "2026-12-06T11:40:00.000Z", None), OpenOrder("o-1", "2026-12-06T10:00:00.000Z", "c")
    planned = plan([young, old], NOW, timedelta(hours=1))
    assert [o.order_id for o in planned.restart] == ["o-1", "o-2"]
    assert planned.open_too_long == [old]
    assert open_since_bound(NOW, timedelta(minutes=15)) == "2026-12-06T11:45:00.000Z#"
    assert restart_input(young)["metadata"] == {"entityId": "o-2", "correlationId": "o-2",
                                                "eventId": "restart:order-sweeper"}  # fmt: skip
