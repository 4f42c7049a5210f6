"""The intake pipe's enrichment: each order message gets its customer's snapshot from one batched read, unknown
customers get null (and intake rejects them), and the records come back one-for-one with their message ids."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.stub import Stubber

from lambdas.customer_snapshot.repository import Customers
from lambdas.customer_snapshot.snapshots import with_snapshots
from lambdas.shared.customer_snapshot import CUSTOMER_SNAPSHOT_KEY, CustomerSnapshot
from lambdas.shared.validation import converted
from tests.support.intake import Intake
from tests.support.pipes_input import sqs_record
from tests.support.seed import customer_item
from tests.support.workflow_harness import TABLE_NAME


def order_body(order_id: str, customer_id: str) -> str:
    return json.dumps({"orderId": order_id, "customerId": customer_id, "currency": "EUR",
                       "lineItems": [{"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}]})  # fmt: skip


def test_a_batch_is_one_lookup_and_comes_back_in_order_one_for_one() -> None:
    asked: list[list[str]] = []

    def find(ids: Any) -> dict[str, dict[str, Any]]:
        asked.append(list(ids))
        return {"c-1": {"customerId": "c-1", "name": "Ada", "email": "ada@example.com"}}

    records = [sqs_record("m-1", order_body("o-1", "c-1")), sqs_record("m-2", "not json"),
               sqs_record("m-3", order_body("o-3", "c-9")), sqs_record("m-4", order_body("o-4", "c-1"))]  # fmt: skip
    enriched = with_snapshots(records, find)
    assert asked == [["c-1", "c-9"]]
    assert [r["messageId"] for r in enriched] == ["m-1", "m-2", "m-3", "m-4"]
    assert [r.get(CUSTOMER_SNAPSHOT_KEY, "absent") for r in enriched] == [
        {"customerId": "c-1", "name": "Ada", "email": "ada@example.com"}, "absent", None,
        {"customerId": "c-1", "name": "Ada", "email": "ada@example.com"},
    ]  # fmt: skip
    assert all(
        {k: v for k, v in e.items() if k != CUSTOMER_SNAPSHOT_KEY} == r for e, r in zip(enriched, records, strict=True)
    )


def test_the_repository_reads_snapshots_with_one_batch_get_and_retries_unprocessed_keys() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    ada = {"pk": {"S": "CUSTOMER#c-1"}, "customerId": {"S": "c-1"}, "name": {"S": "Ada"},
           "email": {"S": "ada@example.com"}}  # fmt: skip
    with Stubber(client) as stubber:
        stubber.add_response("batch_get_item", {"Responses": {TABLE_NAME: []}, "UnprocessedKeys": {
            TABLE_NAME: {"Keys": [{"pk": {"S": "CUSTOMER#c-1"}, "sk": {"S": "CUSTOMER#c-1"}}]}}})  # fmt: skip
        stubber.add_response("batch_get_item", {"Responses": {TABLE_NAME: [ada]}})
        found = Customers(TABLE_NAME, client=client).snapshots(["c-1", "c-2"])
        stubber.assert_no_pending_responses()
    assert found == {"c-1": {"customerId": "c-1", "name": "Ada", "email": "ada@example.com"}}
    converted(found["c-1"], CustomerSnapshot)


def test_an_order_is_written_with_its_customers_snapshot(pipeline: Intake) -> None:
    result = pipeline.deliver(order_body("o-1", "c-1"))
    assert result == {"batchItemFailures": []}
    order = pipeline.orders()["o-1"]
    assert order["customer"] == {"M": {"customerId": {"S": "c-1"}, "name": {"S": "Ada Lovelace"},
                                       "email": {"S": "c-1@example.com"}, "tier": {"S": "gold"}}}  # fmt: skip


def test_an_unknown_customer_is_rejected_with_its_reason(pipeline: Intake) -> None:
    result = pipeline.deliver(order_body("o-1", "c-404"), order_body("o-2", "c-1"))
    assert result == {"batchItemFailures": []}
    assert set(pipeline.orders()) == {"o-2"}
    [rejection] = pipeline.rejections()
    assert (rejection["messageId"], rejection["reason"]) == ("m-0", "unknown customer 'c-404'")


def test_a_customer_added_later_does_not_change_an_accepted_orders_snapshot(pipeline: Intake) -> None:
    pipeline.deliver(order_body("o-1", "c-1"))
    pipeline.table.put_item(TableName=TABLE_NAME, Item=customer_item("c-1", name="Ada King", tier="platinum"))
    assert pipeline.orders()["o-1"]["customer"]["M"]["name"] == {"S": "Ada Lovelace"}


def test_a_customer_item_that_is_not_a_customer_rejects_its_orders_only(pipeline: Intake) -> None:
    """An item without `customerId` failed the whole batch's lookup: the good order beside it went to the intake DLQ
    after every retry, its reason only in a log. Now the bad customer's order is rejected, with the reason."""
    pipeline.table.put_item(TableName=TABLE_NAME, Item={"pk": {"S": "CUSTOMER#c-bad"}, "sk": {"S": "CUSTOMER#c-bad"},
                                                        "email": {"S": "x@example.com"}})  # fmt: skip
    result = pipeline.deliver(order_body("o-1", "c-bad"), order_body("o-2", "c-1"))
    assert result == {"batchItemFailures": []}
    assert set(pipeline.orders()) == {"o-2"}
    [rejection] = pipeline.rejections()
    assert (rejection["messageId"], rejection["reason"]) == (
        "m-0", "the customer's item is not a valid customer (customerId: required field missing)"
    )  # fmt: skip


def test_a_customer_id_no_key_can_hold_is_rejected_without_failing_the_batch(pipeline: Intake) -> None:
    """A 3,002-character `customerId` made DynamoDB refuse the batch's lookup (a key holds 2,048 bytes)."""
    result = pipeline.deliver(order_body("o-1", "c" * 3002), order_body("o-2", "c-1"))
    assert result == {"batchItemFailures": []}
    assert set(pipeline.orders()) == {"o-2"}
    [rejection] = pipeline.rejections()
    assert rejection["messageId"] == "m-0"
    assert rejection["reason"].startswith("customerId: ")
