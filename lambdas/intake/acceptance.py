"""One order message from producers to its end: written (once), rejected with its reason, or raised for a retry."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from lambdas.intake.repository import Orders, RejectedMessages, Written
from lambdas.intake.submission import Rejected, parse_submission
from lambdas.shared.observability import logger, metrics


def accept(message_id: str, body: str, orders: Orders, rejected: RejectedMessages) -> str:
    """Raise only to have the message retried; every other outcome returns normally."""
    try:
        return _accept(message_id, body, orders, rejected)
    except Exception as error:
        logger.warning("Order message not handled; it will be retried", extra={
            "messageId": message_id, "error": repr(error)})  # fmt: skip
        raise


def _accept(message_id: str, body: str, orders: Orders, rejected: RejectedMessages) -> str:
    try:
        submission = parse_submission(body)
        outcome = orders.write_once(submission, correlation_id=submission.correlation_id or message_id)
    except Rejected as rejection:
        rejected.send(message_id, body, str(rejection))
        logger.warning("Order message rejected", extra={"messageId": message_id, "reason": str(rejection)})
        metrics.add_metric(name="IntakeRejected", unit=MetricUnit.Count, value=1)
        return "rejected"
    metric = "IntakeWritten" if outcome is Written.CREATED else "IntakeDuplicates"
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    logger.info("Order accepted", extra={"messageId": message_id, "orderId": submission.order_id, "outcome": outcome})
    return outcome.value
