"""ops.orders against the synthesized workflow in moto: `show` prints each status change with the execution that made
it, from an event store fed as the pipe feeds it; `retry` finishes a stuck order and reruns a failed one, once."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ops.aws import OperatorError
from ops.event_store.queries import EventStore
from ops.orders import cli
from ops.orders.history import current_order, execution_name, order_history
from ops.orders.restart import plan_retry, retry
from stacks.names import Output
from tests.support.event_store import STORE_TABLE, StoreFeeder
from tests.support.order_operations import finish_started, operated_workflow, order_left_at, publish, status
from tests.support.seed import order_item
from tests.support.workflow_harness import TABLE_NAME, WorkflowHarness


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[WorkflowHarness, StoreFeeder]]:
    with operated_workflow(monkeypatch) as found:
        yield found


def retried(harness: WorkflowHarness, order_id: str) -> str:
    plan = plan_retry(current_order(harness.dynamodb, TABLE_NAME, order_id), order_id)
    arn = retry(plan, table_client=harness.dynamodb, table_name=TABLE_NAME, stepfunctions=harness.stepfunctions,
                state_machine_arn=harness.state_machine_arn)  # fmt: skip
    return harness.wait(arn).status


def test_show_gives_each_change_and_the_execution_that_made_it(world: tuple[WorkflowHarness, StoreFeeder]) -> None:
    harness, store = world
    harness.put(order_item("o-1", "c-1", [("p-1", 2, 100)]))
    harness.run(harness.order_created_event_detail("o-1"))
    publish(harness, store)

    history = order_history(harness.dynamodb, TABLE_NAME, EventStore(harness.dynamodb, STORE_TABLE), "o-1")

    assert [(c.change, c.before, c.after) for c in history.changes] == [
        ("INSERT", None, "PENDING"), ("MODIFY", "PENDING", "RESERVED"), ("MODIFY", "RESERVED", "SHIPPED")]  # fmt: skip
    assert history.changes[0].execution is None  # intake wrote it
    [execution] = history.executions
    assert execution.name == "run-1"
    assert (execution.changes, execution.outcome) == (["PENDING->RESERVED", "RESERVED->SHIPPED"], "SHIPPED")
    assert history.shipment is not None
    assert not history.open


def test_retry_finishes_an_order_an_execution_left_reserved(world: tuple[WorkflowHarness, StoreFeeder]) -> None:
    harness, store = world
    order_left_at(harness, "o-2", "CheckInventory")

    assert retried(harness, "o-2") == "SUCCEEDED"

    assert status(harness, "o-2") == "SHIPPED"
    assert (harness.stock("p-1"), harness.stock("p-2")) == (8, 4)
    publish(harness, store)
    history = order_history(harness.dynamodb, TABLE_NAME, EventStore(harness.dynamodb, STORE_TABLE), "o-2")
    assert [e.outcome for e in history.executions] == ["RESERVED", "SHIPPED"]  # the stopped run, then the retry


def test_retry_reopens_a_failed_order_and_runs_it_from_the_start(world: tuple[WorkflowHarness, StoreFeeder]) -> None:
    harness, _ = world
    harness.put(order_item("o-3", "c-1", [("p-1", 1, 100)]))

    def carrier_down(function_name: str, _event: dict[str, Any]) -> None:
        if function_name == "ship-order":
            raise RuntimeError("carrier API down")

    harness.inject = carrier_down
    assert harness.run(harness.order_created_event_detail("o-3")).error == "ShippingFailed"
    assert (status(harness, "o-3"), harness.stock("p-1")) == ("FAILED", 10)  # released
    harness.inject = None

    assert retried(harness, "o-3") == "SUCCEEDED"
    assert (status(harness, "o-3"), harness.stock("p-1")) == ("SHIPPED", 9)


@pytest.mark.parametrize(("order_status", "message"), [("SHIPPED", "settled, nothing to retry"),
                                                       (None, "no order 'o-4'")])  # fmt: skip
def test_retry_refuses_a_settled_or_unknown_order(order_status: str | None, message: str) -> None:
    order = None if order_status is None else {"status": order_status}
    with pytest.raises(OperatorError, match=message):
        plan_retry(order, "o-4")


def test_the_command_says_what_it_would_do_asks_and_starts(
    world: tuple[WorkflowHarness, StoreFeeder], monkeypatch: pytest.MonkeyPatch
) -> None:
    harness, store = world
    order_left_at(harness, "o-5", "ProcessOrder")
    publish(harness, store)
    outputs = {Output.TABLE_NAME: TABLE_NAME, Output.EVENT_STORE_TABLE_NAME: STORE_TABLE,
               Output.STATE_MACHINE_ARN: harness.state_machine_arn}  # fmt: skip
    clients = {"dynamodb": harness.dynamodb, "stepfunctions": harness.stepfunctions, "cloudformation": None}
    monkeypatch.setattr(cli, "client_factory", lambda _config: clients.__getitem__)
    monkeypatch.setattr(cli, "output_of", lambda _cfn, _env, output: outputs[output])

    out = io.StringIO()
    assert cli.main(["retry", "o-5", "--dry-run"], out=out) == 0
    assert out.getvalue() == "would order o-5 is PENDING: start the order workflow for it\n"
    err = io.StringIO()
    assert cli.main(["retry", "o-5"], out=io.StringIO(), err=err, ask=lambda _prompt: "n") == 1
    assert "not retried" in err.getvalue()
    out = io.StringIO()
    assert cli.main(["retry", "o-5", "--yes"], out=out) == 0
    assert out.getvalue().splitlines()[-1].startswith("started arn:aws:states:")
    finish_started(harness)
    assert status(harness, "o-5") == "SHIPPED"

    publish(harness, store)
    out = io.StringIO()
    assert cli.main(["show", "o-5", "--json"], out=out) == 0
    shown = json.loads(out.getvalue())
    assert (shown["order"]["status"], shown["open"]) == ("SHIPPED", False)
    assert [e["outcome"] for e in shown["executions"]] == ["SHIPPED"]
    out = io.StringIO()
    assert cli.main(["show", "o-5"], out=out) == 0
    assert out.getvalue().startswith("order o-5: SHIPPED\nshipment shp-o-5 created ")


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("run-1", "run-1"),  # what the workflow writes since decision 28
        ("arn:aws:states:eu-west-1:123456789012:execution:OrderWorkflow:run-1", "run-1"),  # a STANDARD execution's ARN
        ("arn:aws:states:eu-west-1:123456789012:express:OrderWorkflow:run-1:0f1e2d3c-aaaa", "run-1"),  # an EXPRESS one
        (None, None),  # intake, an operator, another writer
    ],
)
def test_an_older_orders_execution_arn_is_shown_by_its_name(written: str | None, name: str | None) -> None:
    assert execution_name(written) == name
