"""`retry`: the order workflow again for one order, which is safe because the workflow resumes from the order's
status (docs/decisions.md, 27). A FAILED order is first set back to PENDING, and reopened, with a condition on
FAILED, so that the retry runs it from the start; a settled order is refused (there is nothing left to do)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lambdas.shared.entities import ORDER
from lambdas.shared.orders import SETTLED_STATUSES, UNRESERVED, OrderStatus
from lambdas.shared.table import item_key, open_order_keys, timestamp
from lambdas.shared.versions import (
    CAUSATION_ATTRIBUTE,
    NEXT_VERSION,
    NEXT_VERSION_NAMES,
    NEXT_VERSION_VALUES,
    RESTART_CAUSE_PREFIX,
)
from lambdas.shared.workflow_start import execution_name, restart_input
from ops.aws import OperatorError

RESTARTED_BY = "ops.orders retry"
RETRY_CAUSE = f"{RESTART_CAUSE_PREFIX}{RESTARTED_BY}"  # the reopening's cause, as the run it starts names its own

NOTHING_TO_DO = tuple(status for status in SETTLED_STATUSES if status != OrderStatus.FAILED)
RESUMABLE = (*UNRESERVED, OrderStatus.RESERVED)


@dataclass(frozen=True)
class RetryPlan:
    order_id: str
    status: str
    reopen: bool  # FAILED: set back to PENDING first
    correlation_id: str

    def describe(self) -> str:
        first = "set it from FAILED back to PENDING (reopened), then " if self.reopen else ""
        return f"order {self.order_id} is {self.status}: {first}start the order workflow for it"


def plan_retry(order: dict[str, Any] | None, order_id: str) -> RetryPlan:
    if order is None:
        raise OperatorError(f"no order {order_id!r} in the table")
    status = str(order.get("status"))
    if status in NOTHING_TO_DO:
        raise OperatorError(f"order {order_id} is {status}: settled, nothing to retry")
    if status not in (*RESUMABLE, OrderStatus.FAILED):
        raise OperatorError(f"order {order_id} has status {status!r}, which the workflow does not know")
    return RetryPlan(order_id, status, status == "FAILED", str(order.get("correlationId") or order_id))


def retry(plan: RetryPlan, *, table_client: Any, table_name: str, stepfunctions: Any, state_machine_arn: str,
          now: datetime | None = None) -> str:  # fmt: skip
    """Carries the plan out; returns the execution's ARN."""
    moment = now or datetime.now(UTC)
    if plan.reopen:
        _reopen(plan, table_client, table_name, timestamp(moment))
    name = execution_name("retry", plan.order_id, f"{moment:%Y%m%dT%H%M%S}")
    execution_input = restart_input(plan.order_id, plan.correlation_id, RESTARTED_BY)
    started = stepfunctions.start_execution(stateMachineArn=state_machine_arn, name=name,
                                            input=json.dumps(execution_input))  # fmt: skip
    return str(started["executionArn"])


def _reopen(plan: RetryPlan, table_client: Any, table_name: str, now: str) -> None:
    keys = open_order_keys(plan.order_id, now)
    names = {"#status": "status", **{f"#{name}": name for name in keys}, **NEXT_VERSION_NAMES}
    values = {":failed": {"S": "FAILED"}, ":pending": {"S": "PENDING"}, ":now": {"S": now},
              ":why": {"S": "retried by an operator (ops.orders retry)"}, ":cause": {"S": RETRY_CAUSE},
              **{f":{name}": value for name, value in keys.items()}, **NEXT_VERSION_VALUES}  # fmt: skip
    reopened = ", ".join(f"#{name} = :{name}" for name in keys)
    try:
        table_client.update_item(
            TableName=table_name, Key=item_key(ORDER, plan.order_id),
            # No execution wrote this status: the workflow's name goes, so `show` does not credit it.
            UpdateExpression=f"SET #status = :pending, updatedAt = :now, statusReason = :why, {reopened}, "
            f"{CAUSATION_ATTRIBUTE} = :cause {NEXT_VERSION} REMOVE workflowExecution",
            ConditionExpression="#status = :failed", ExpressionAttributeNames=names, ExpressionAttributeValues=values,
        )  # fmt: skip
    except table_client.exceptions.ConditionalCheckFailedException:
        raise OperatorError(f"order {plan.order_id} is no longer FAILED: look again (show) before retrying") from None
