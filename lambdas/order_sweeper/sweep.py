"""Which open orders to restart, and which to report: rules only, no I/O.

An order is open from intake until the workflow settles it (lambdas/shared/table_keys.py, OPEN_ORDERS). One open
longer than `stuck_after` has no execution left running (an EXPRESS execution lives 5 minutes at most): it is
restarted, which is safe because the workflow resumes from the order's status. One open longer than `report_after`
has been restarted several times already and still does not settle: it is counted for the alarm, and still
restarted (the cause may be an outage that ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from lambdas.shared import workflow_start
from lambdas.shared.table import timestamp


@dataclass(frozen=True)
class OpenOrder:
    order_id: str
    open_since: str  # the timestamp intake wrote (ISO 8601, UTC)
    correlation_id: str | None


@dataclass(frozen=True)
class SweepPlan:
    restart: list[OpenOrder]
    open_too_long: list[OpenOrder]


def open_since_bound(now: datetime, stuck_after: timedelta) -> str:
    """The index's sort keys below this bound are of orders open longer than `stuck_after` (`<since>#<orderId>`)."""
    return timestamp(now - stuck_after) + "#"


def plan(candidates: list[OpenOrder], now: datetime, report_after: timedelta) -> SweepPlan:
    report_bound = timestamp(now - report_after)
    return SweepPlan(
        restart=sorted(candidates, key=lambda order: order.open_since),
        open_too_long=[order for order in candidates if order.open_since < report_bound],
    )


def restart_input(order: OpenOrder) -> dict[str, object]:
    return workflow_start.restart_input(order.order_id, order.correlation_id, "order-sweeper")
