"""Where intake outcomes go: the order into the table (once), a rejection into the rejected queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import boto3
import msgspec
from botocore.exceptions import ClientError

from lambdas.intake.submission import OrderSubmission, Rejected
from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.entities import CUSTOMER, ORDER, entity_key
from lambdas.shared.errors import reraise
from lambdas.shared.orders import OrderStatus
from lambdas.shared.table import (
    IF_ABSENT,
    Item,
    condition_failed,
    index_keys,
    item_key,
    key_of,
    open_order_keys,
    timestamp,
)
from lambdas.shared.table_keys import PARTITION_KEY
from lambdas.shared.versions import CAUSATION_ATTRIBUTE, FIRST_VERSION, VERSION_ATTRIBUTE


class Written(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # the same submission again: nothing written, nothing wrong


class Orders:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self._table_name = table_name
        self._client = client or boto3.client("dynamodb")

    def write_once(
        self,
        submission: OrderSubmission,
        correlation_id: str,
        customer: CustomerSnapshot | None = None,
        causation_id: str | None = None,
    ) -> Written:
        """Conditional put; raises Rejected for a different order under an existing id, RetryableError on throttling."""
        item = order_item(submission, correlation_id, datetime.now(UTC), customer, causation_id)
        try:
            self._client.put_item(
                TableName=self._table_name,
                Item=item,
                ConditionExpression=IF_ABSENT,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return Written.CREATED
        except ClientError as error:
            if not condition_failed(error):
                reraise(error)
            existing = error.response.get("Item") or self._client.get_item(
                TableName=self._table_name, Key=key_of(item), ConsistentRead=True
            ).get("Item", {})
        if existing.get("submissionFingerprint", {}).get("S") == submission.fingerprint():
            return Written.DUPLICATE
        raise Rejected(f"conflict: order {submission.order_id!r} already exists with different content")


def order_item(
    submission: OrderSubmission,
    correlation_id: str,
    now: datetime,
    customer: CustomerSnapshot | None = None,
    causation_id: str | None = None,
) -> Item:
    """The PENDING order item intake writes; the workflow and every test start from this shape. `customer`: the
    customer's snapshot as intake found it, kept with the order (absent when intake had none)."""
    created_at = timestamp(now)
    snapshot = {"customer": {"M": customer_snapshot_attribute(customer)}} if customer else {}
    return {
        **item_key(ORDER, submission.order_id),
        # A customer's orders, newest last: query ByCustomer on the customer's key.
        **index_keys(
            entity_key(CUSTOMER, submission.customer_id)[PARTITION_KEY],
            f"{ORDER.key_prefix}{created_at}#{submission.order_id}",
        ),
        # Open until the workflow settles it: the order sweeper restarts it if it stays open too long.
        **open_order_keys(submission.order_id, created_at),
        "orderId": {"S": submission.order_id},
        "status": {"S": OrderStatus.PENDING.value},
        "customerId": {"S": submission.customer_id},
        "currency": {"S": submission.currency},
        "totalMinor": {"N": str(submission.total_minor)},
        "lineItems": {
            "L": [
                {
                    "M": {
                        "sku": {"S": line.sku},
                        "quantity": {"N": str(line.quantity)},
                        "unitPriceMinor": {"N": str(line.unit_price_minor)},
                    }
                }
                for line in submission.line_items
            ]
        },
        "correlationId": {"S": correlation_id},
        # What caused it, when that is not the correlation id itself (a producer's own): the intake message.
        **({CAUSATION_ATTRIBUTE: {"S": causation_id}} if causation_id and causation_id != correlation_id else {}),
        VERSION_ATTRIBUTE: FIRST_VERSION,
        "createdAt": {"S": created_at},
        "submissionFingerprint": {"S": submission.fingerprint()},
        **snapshot,
    }


def customer_snapshot_attribute(customer: CustomerSnapshot) -> Item:
    """The snapshot as a DynamoDB map: its string fields, absent ones left out."""
    return {name: {"S": value} for name, value in msgspec.to_builtins(customer).items()}


# JSON escaping can grow text up to 6x; this keeps a rejection well inside SQS's 256 KiB message limit.
MAX_KEPT_BODY_CHARACTERS = 32 * 1024


class RejectedMessages:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._queue_url = queue_url
        self._client = client or boto3.client("sqs")

    def send(self, message_id: str, body: Any, reason: str) -> None:
        """The original body and the reason, enough to fix the producer and resend; a huge body is cut, and says so."""
        text = body if isinstance(body, str) else json.dumps(body)
        rejection: dict[str, Any] = {
            "reason": reason,
            "messageId": message_id,
            "body": text[:MAX_KEPT_BODY_CHARACTERS],
            "rejectedAt": timestamp(),
        }
        if len(text) > MAX_KEPT_BODY_CHARACTERS:
            rejection["bodyTruncatedFromCharacters"] = len(text)
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=json.dumps(rejection),
                MessageAttributes={"reason": {"DataType": "String", "StringValue": reason[:256]}},
            )
        except ClientError as error:
            reraise(error)
