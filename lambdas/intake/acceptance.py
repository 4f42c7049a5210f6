"""One order message from producers to its end: written (once), rejected with its reason, or raised for a retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from lambdas.intake.repository import Orders, RejectedMessages, Written
from lambdas.intake.submission import Rejected, parse_submission
from lambdas.shared.customer_snapshot import CUSTOMER_SNAPSHOT_KEY, CustomerSnapshot
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger
from lambdas.shared.personal_data import ERASURE_ATTRIBUTE
from lambdas.shared.validation import converted, first_problem


@dataclass(frozen=True)
class CustomerLookup:
    """What the intake pipe's enrichment found for a message's customer: nothing looked up (no enrichment ran, or
    the body named no customer), a snapshot, or no such customer."""

    looked_up: bool
    snapshot: CustomerSnapshot | None = None
    problem: str | None = None  # the customer's item is there but cannot be a snapshot: the order is rejected for it

    @classmethod
    def of(cls, record: dict[str, Any]) -> CustomerLookup:
        if CUSTOMER_SNAPSHOT_KEY not in record:
            return cls(looked_up=False)
        found = record[CUSTOMER_SNAPSHOT_KEY]
        if found is None:
            return cls(looked_up=True)
        if isinstance(found, dict) and ERASURE_ATTRIBUTE in found:
            return cls(looked_up=True, problem="the customer's personal data was erased: no order is taken for them")
        try:
            return cls(looked_up=True, snapshot=converted(found, CustomerSnapshot))
        except msgspec.ValidationError as error:
            # A bad customer item is the catalogue's defect, not the message's: rejected with the reason, never
            # retried into the DLQ, and the batch's other orders go on.
            return cls(
                looked_up=True,
                problem=f"the customer's item is not a valid customer ({first_problem(error, 'customer')})",
            )


NOT_LOOKED_UP = CustomerLookup(looked_up=False)


def accept(
    message_id: str,
    body: str,
    orders: Orders,
    rejected: RejectedMessages,
    customer: CustomerLookup = NOT_LOOKED_UP,
) -> str:
    """Raise only to have the message retried; every other outcome returns normally."""
    try:
        return _accept(message_id, body, orders, rejected, customer)
    except Exception as error:
        logger.warning("Order message not handled; it will be retried", extra={
            "messageId": message_id, "error": repr(error)})  # fmt: skip
        raise


def _accept(message_id: str, body: str, orders: Orders, rejected: RejectedMessages, customer: CustomerLookup) -> str:
    try:
        submission = parse_submission(body)
        if customer.problem:
            raise Rejected(customer.problem)
        if customer.looked_up and customer.snapshot is None:
            raise Rejected(f"unknown customer {submission.customer_id!r}")
        outcome = orders.write_once(
            submission,
            correlation_id=submission.correlation_id or message_id,
            customer=customer.snapshot,
            causation_id=message_id,
        )
    except Rejected as rejection:
        rejected.send(message_id, body, str(rejection))
        logger.warning("Order message rejected", extra={"messageId": message_id, "reason": str(rejection)})
        count(Metric.INTAKE_REJECTED)
        return "rejected"
    count(Metric.INTAKE_WRITTEN if outcome is Written.CREATED else Metric.INTAKE_DUPLICATES)
    logger.info("Order accepted", extra={"messageId": message_id, "orderId": submission.order_id, "outcome": outcome})
    return outcome.value
