"""Orders the workflow did not finish: one left open (the order sweeper restarts it) and one FAILED (an operator's
`ops.orders retry` reopens and reruns it). Each ends SHIPPED with its stock reserved once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from lambdas.intake.repository import order_item
from ops.orders.history import current_order, order_history
from ops.orders.restart import plan_retry, retry
from ops.smoke.scenario import Scenario
from ops.smoke.trace import HopFailed


def stuck_order_swept(run: Scenario) -> None:
    """o7 as intake would have written it an hour ago, still PENDING: the sweeper, run now instead of at its next 5
    minutes, restarts it. Written straight to the table, it also starts the workflow through its OrderCreated; the
    two executions together leave each effect once."""
    opened = datetime.now(UTC) - timedelta(hours=1)
    o7 = run.order_id("o7")
    run.sent["o7"] = "written to the table"  # removed with the run's items
    run.observe.table.put(order_item(run.data.order("o7", ("p4", 1)), run.data.id("o7-corr"), opened))
    response = run.observe.functions.invoke(FunctionName=run.observe.sweeper_function, Payload=b'{"id": "smoke"}')
    swept = json.loads(response["Payload"].read())
    if "FunctionError" in response or swept.get("restarted", 0) < 1:
        raise HopFailed(f"order sweeper -> restart: it answered {swept}")
    run.trace.ok("open an hour -> order sweeper restarts it", f"{swept['restarted']} restarted, "
                 f"{swept['openTooLong']} open too long", 0.0)  # fmt: skip
    run.wait_status("... the restarted workflow ships it", "o7", "SHIPPED")
    run.trace.holds_for("... reserving once", lambda: run.stock_problem({"p4": 4}), 1.0, "p4 stock 4")
    if current_order(run.observe.table.client, run.observe.table.name, o7).get("openShard"):  # type: ignore[union-attr]
        raise HopFailed("order sweeper: the shipped order is still in the OpenOrders index")


def failed_order_retried(run: Scenario) -> None:
    """o8 written FAILED (its OrderCreated starts a run that finds it settled); `ops.orders retry` sets it back to
    PENDING and starts the workflow, which ships it; `ops.orders show` names the execution of each change."""
    o8 = run.order_id("o8")
    run.sent["o8"] = "written to the table"
    failed = order_item(run.data.order("o8", ("p4", 1)), run.data.id("o8-corr"), datetime.now(UTC))
    failed["status"] = {"S": "FAILED"}
    for key in ("openShard", "openSince"):  # a FAILED order is settled
        failed.pop(key)
    run.observe.table.put(failed)
    plan = plan_retry(current_order(run.observe.table.client, run.observe.table.name, o8), o8)
    arn = retry(plan, table_client=run.observe.table.client, table_name=run.observe.table.name,
                stepfunctions=run.observe.workflow.client, state_machine_arn=run.observe.workflow.arn)  # fmt: skip
    run.trace.ok("FAILED order -> ops.orders retry", f"{plan.describe()}: {arn.rsplit(':', 1)[-1]}", 0.0)
    run.wait_status("... the workflow runs it from the start and ships it", "o8", "SHIPPED")
    run.trace.holds_for("... reserving once", lambda: run.stock_problem({"p4": 3}), 1.0, "p4 stock 3")
    store = run.observe.events.store

    def shipped_by_an_execution() -> str | None:
        changes = order_history(run.observe.table.client, run.observe.table.name, store, o8).changes
        shipped = [c for c in changes if c.after == "SHIPPED" and c.execution]
        return shipped[0].execution if shipped else None

    run.trace.wait_for(
        "ops.orders show -> each change and its execution",
        shipped_by_an_execution,
        lambda execution: f"SHIPPED by {execution.rsplit(':', 1)[-1]}",
        "SHIPPED with its execution",
    )
