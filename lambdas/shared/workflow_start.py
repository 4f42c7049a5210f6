"""Starting the order workflow again for one order (the order sweeper, `ops.orders retry`): the input it resumes
from and a name for the execution. The workflow reads the order itself, so the input names the order only
(stacks/building_blocks/order_workflow_definition.py)."""

from __future__ import annotations

import re

from lambdas.shared.versions import RESTART_CAUSE_PREFIX

UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_-]")  # what Step Functions refuses in an execution name
MAX_NAME_LENGTH = 80


def restart_input(order_id: str, correlation_id: str | None, restarted_by: str) -> dict[str, object]:
    """`eventId` is what the run's changes name as their cause (`causationId`): the restarter, not an event."""
    return {"metadata": {"entityId": order_id, "correlationId": correlation_id or order_id,
                         "eventId": f"{RESTART_CAUSE_PREFIX}{restarted_by}"},
            "restartedBy": restarted_by}  # fmt: skip


def execution_name(*parts: str) -> str:
    """`parts` joined with `-`, made a valid execution name (what it may not hold becomes `_`)."""
    return UNSAFE_IN_NAME.sub("_", "-".join(parts))[:MAX_NAME_LENGTH]
