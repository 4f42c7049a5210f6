"""The order sweeper, every few minutes in the publishing region: the workflow again for every order open too long.

Input: the scheduled event (ignored). Output: {"restarted", "openTooLong"} counts; metrics `OrdersRestarted` and
`OrdersOpenTooLong` (alarmed). Raises RetryableError when the table or Step Functions throttles; the next sweep
starts what this one could not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.order_sweeper.repository import OpenOrders, Workflow
from lambdas.order_sweeper.sweep import open_since_bound, plan, restart_input
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger, metrics
from lambdas.shared.settings import load_settings


class Settings(msgspec.Struct, rename="upper"):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]
    open_orders_index: Annotated[str, msgspec.Meta(min_length=1)]
    state_machine_arn: Annotated[str, msgspec.Meta(min_length=1)]
    stuck_after_seconds: Annotated[str, msgspec.Meta(pattern=r"^[0-9]+$")]
    report_after_seconds: Annotated[str, msgspec.Meta(pattern=r"^[0-9]+$")]


@cache
def _dependencies() -> tuple[OpenOrders, Workflow, Settings]:
    settings = load_settings(Settings)
    return OpenOrders(settings.table_name, settings.open_orders_index), Workflow(settings.state_machine_arn), settings


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return sweep(*_dependencies(), now=datetime.now(UTC), sweep_id=str(event.get("id", context.aws_request_id)))


def sweep(
    orders: OpenOrders, workflow: Workflow, settings: Settings, *, now: datetime, sweep_id: str
) -> dict[str, int]:
    stuck_after = timedelta(seconds=int(settings.stuck_after_seconds))
    candidates = list(orders.open_before(open_since_bound(now, stuck_after)))
    planned = plan(candidates, now, timedelta(seconds=int(settings.report_after_seconds)))
    for order in planned.restart:
        execution = workflow.start(order.order_id, restart_input(order), sweep_id)
        logger.info("Restarted an order left open", extra={"orderId": order.order_id, "openSince": order.open_since,
                                                             "execution": execution})  # fmt: skip
    for order in planned.open_too_long:
        logger.warning("Order still open after several sweeps", extra={"orderId": order.order_id,
                                                                       "openSince": order.open_since})  # fmt: skip
    count(Metric.ORDERS_RESTARTED, len(planned.restart))
    count(Metric.ORDERS_OPEN_TOO_LONG, len(planned.open_too_long))
    return {"restarted": len(planned.restart), "openTooLong": len(planned.open_too_long)}
