"""Intake handler against moto SQS and DynamoDB: written, duplicate, conflict, every kind of malformed body, throttling.

Each batch is handed over as the deployed pipe hands it (see tests/support/pipes_input.py), so the handler sees exactly
what the pipe would give it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdas.intake.repository import Orders, RejectedMessages
from tests.support.intake import Intake


def submission(order_id: str = "o-1", **overrides: Any) -> dict[str, Any]:
    body = {
        "orderId": order_id,
        "customerId": "c-1",
        "currency": "EUR",
        "lineItems": [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 1250}],
        "correlationId": f"corr-{order_id}",
    }
    body.update(overrides)
    return body


def test_a_valid_batch_is_written_as_pending_orders(pipeline: Intake) -> None:
    result = pipeline.deliver(submission("o-1"), submission("o-2", lineItems=[
        {"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}, {"sku": "p-2", "quantity": 3, "unitPriceMinor": 5},
    ]))  # fmt: skip

    assert result == {"batchItemFailures": []}
    orders = pipeline.orders()
    assert set(orders) == {"o-1", "o-2"}
    assert orders["o-1"]["status"] == {"S": "PENDING"}
    assert orders["o-1"]["pk"] == {"S": "ORDER#o-1"}
    assert orders["o-1"]["gsi1pk"] == {"S": "CUSTOMER#c-1"}
    assert orders["o-1"]["totalMinor"] == {"N": "2500"}
    assert orders["o-1"]["correlationId"] == {"S": "corr-o-1"}
    assert orders["o-2"]["totalMinor"] == {"N": "115"}
    assert pipeline.rejections() == []


def test_the_same_message_twice_writes_once(pipeline: Intake) -> None:
    assert pipeline.deliver(submission("o-1"))["batchItemFailures"] == []
    first = pipeline.orders()["o-1"]
    assert pipeline.deliver(submission("o-1", correlationId="another-delivery"))["batchItemFailures"] == []

    assert pipeline.orders() == {"o-1": first}
    assert pipeline.rejections() == []


def test_a_different_order_under_an_existing_id_is_a_conflict(pipeline: Intake) -> None:
    pipeline.deliver(submission("o-1"))
    result = pipeline.deliver(submission("o-1", currency="USD"))

    assert result["batchItemFailures"] == []  # rejected, so not retried
    [rejection] = pipeline.rejections()
    assert rejection["reason"] == "conflict: order 'o-1' already exists with different content"
    assert json.loads(rejection["body"])["currency"] == "USD"
    assert pipeline.orders()["o-1"]["currency"] == {"S": "EUR"}


MALFORMED = {
    "not JSON": ("{'orderId': 'o-1',", "body is not JSON"),
    "not an object": ("[1, 2, 3]", "body must be a JSON object, got list"),
    # Pipes parses a JSON body before templating, so a JSON string arrives as its bare text: not JSON any more.
    "a bare string": ('"o-1"', "body must be a JSON object, got str"),
    "empty": ("", "body is not JSON"),
    "missing fields": (json.dumps({"orderId": "o-1"}), "customerId: required field missing"),
    "negative quantity": (
        json.dumps(submission(lineItems=[{"sku": "p-1", "quantity": -1, "unitPriceMinor": 5}])),
        "lineItems.0.quantity: Expected `int` >= 1",
    ),
    "quantity as text": (
        json.dumps(submission(lineItems=[{"sku": "p-1", "quantity": "2", "unitPriceMinor": 5}])),
        "lineItems.0.quantity: Expected `int`, got `str`",
    ),
    "price as a float": (
        json.dumps(submission(lineItems=[{"sku": "p-1", "quantity": 1, "unitPriceMinor": 12.5}])),
        "lineItems.0.unitPriceMinor: Expected `int`, got `float`",
    ),
    "unknown field": (json.dumps(submission(discount=5)), "discount: unknown field"),
    "bad order id": (json.dumps(submission(orderId="../../etc")), "orderId: Expected `str` matching regex"),
    "huge payload": (json.dumps(submission(note="x" * 70_000)), "body of 70"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_body_is_rejected_with_its_reason_and_nothing_written(pipeline: Intake, case: str) -> None:
    body, reason = MALFORMED[case]
    result = pipeline.deliver(body)

    assert result == {"batchItemFailures": []}
    [rejection] = pipeline.rejections()
    assert rejection["reason"].startswith(reason), rejection["reason"]
    assert rejection["messageId"] == "m-0"
    assert pipeline.orders() == {}


def test_a_huge_rejected_body_is_kept_in_part_and_says_so(pipeline: Intake) -> None:
    pipeline.deliver(json.dumps(submission(note="x" * 70_000)))
    [rejection] = pipeline.rejections()
    assert len(rejection["body"]) == 32 * 1024
    assert rejection["bodyTruncatedFromCharacters"] > 70_000


def test_a_throttled_write_is_reported_for_retry_and_the_rest_of_the_batch_is_written(
    pipeline: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Orders.write_once

    def throttled_for_o2(self: Orders, submitted: Any, correlation_id: str, **snapshot: Any) -> Any:
        if submitted.order_id == "o-2":
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
            raise ClientError(error, "PutItem")
        return original(self, submitted, correlation_id, **snapshot)

    monkeypatch.setattr(Orders, "write_once", throttled_for_o2)
    result = pipeline.deliver(submission("o-1"), submission("o-2"), submission("o-3"))

    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert set(pipeline.orders()) == {"o-1", "o-3"}
    assert pipeline.rejections() == []


def test_when_the_rejected_queue_is_unreachable_the_message_is_retried_not_lost(
    pipeline: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "SendMessage")

    monkeypatch.setattr(RejectedMessages, "send", unreachable)
    result = pipeline.deliver("not json")
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-0"}]}
