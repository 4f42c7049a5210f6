"""ProcessOrder: validation, enrichment with the customer, totals, the reservation plan; bad input and throttling."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from botocore.stub import Stubber
from msgspec import ValidationError

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.process_order import handler as process_order
from lambdas.process_order.repository import OrderReferences
from lambdas.process_order.workflow_step import ProcessOrderRequest
from lambdas.process_order.workflow_step import process as process_request
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.errors import RetryableError
from lambdas.shared.validation import converted
from tests.support.seed import customer_item, order_item, product_item
from tests.support.workflow_harness import TABLE_NAME


@pytest.fixture
def catalogue(table: Any) -> Any:
    process_order._dependencies.cache_clear()
    table.put_item(TableName=TABLE_NAME, Item=customer_item("c-1", name="Grace Hopper"))
    for sku in ("p-1", "p-2"):
        table.put_item(TableName=TABLE_NAME, Item=product_item(sku, stock=5))
    yield table
    process_order._dependencies.cache_clear()


def as_item(order: dict[str, Any]) -> dict[str, Any]:
    serialize = TypeSerializer().serialize
    exact = json.loads(json.dumps(order), parse_float=Decimal)  # DynamoDB numbers: a float becomes a Decimal
    return {name: serialize(value) for name, value in exact.items()}


def request(order: dict[str, Any], order_id: str = "o-1", table: Any = None) -> dict[str, Any]:
    """What the workflow sends ProcessOrder for an order, stored first as the table would hold it."""
    if table is not None:
        table.put_item(TableName=TABLE_NAME, Item=as_item(order))
    return {"orderId": order_id, "executionName": "run-1", "correlationId": "c", "causationId": "evt-1"}


def plain_order(lines: list[tuple[str, int, int]], customer_id: str = "c-1") -> dict[str, Any]:
    return item_to_json(order_item("o-1", customer_id, lines))


def test_valid_order_is_enriched_totalled_and_planned(catalogue: Any, lambda_context: FakeLambdaContext) -> None:
    order = plain_order([("p-2", 1, 250), ("p-1", 2, 1000), ("p-2", 2, 250)])
    result = process_order.handler(request(order, table=catalogue), lambda_context)

    assert result["valid"] is True
    assert result["customer"] == {"customerId": "c-1"}  # never a personal field: execution data may be logged
    assert result["totalMinor"] == 2750
    assert result["currency"] == "EUR"
    assert result["lineItems"][0] == {"sku": "p-2", "quantity": 1, "unitPriceMinor": 250}
    reserve = result["reservation"]["reserve"]
    order_update = reserve[0]["Update"]
    assert order_update["TableName"] == TABLE_NAME
    assert order_update["Key"] == {"pk": {"S": "ORDER#o-1"}, "sk": {"S": "ORDER#o-1"}}
    assert result["status"] == "PENDING"
    assert order_update["ConditionExpression"] == "#status IN (:expected0, :expected1)"
    assert order_update["ExpressionAttributeValues"][":expected0"] == {"S": "PENDING"}
    assert order_update["ExpressionAttributeValues"][":expected1"] == {
        "S": "PROCESSING"
    }  # left by the earlier workflow
    assert order_update["ExpressionAttributeValues"][":new"] == {"S": "RESERVED"}
    assert order_update["ExpressionAttributeValues"][":execution"] == {"S": "run-1"}
    assert order_update["ExpressionAttributeValues"][":cause"] == {"S": "evt-1"}  # the event that started the run
    assert "ADD #version :one" in order_update["UpdateExpression"]
    # One update per product (quantities of the same SKU merged), in SKU order, each guarded by the stock level.
    stock_updates = [u["Update"] for u in reserve[1:]]
    assert [(u["Key"]["pk"]["S"], u["ExpressionAttributeValues"][":quantity"]["N"]) for u in stock_updates] == [
        ("PRODUCT#p-1", "2"),
        ("PRODUCT#p-2", "3"),
    ]
    assert all(u["Update"]["ConditionExpression"] == "stock >= :quantity" for u in reserve[1:])
    release = result["reservation"]["release"]
    assert release[0]["Update"]["ExpressionAttributeValues"][":expected0"] == {"S": "RESERVED"}
    assert release[0]["Update"]["UpdateExpression"].endswith("REMOVE openShard, openSince")  # FAILED settles it
    assert release[0]["Update"]["ExpressionAttributeValues"][":new"] == {"S": "FAILED"}
    # Every write moves its item's version (lambdas/shared/versions.py), the products' too.
    assert [u["Update"]["UpdateExpression"] for u in release[1:]] == [
        "SET stock = stock + :quantity ADD #version :one"
    ] * 2


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda o: o.update(lineItems=[]), "lineItems: Expected `array` of length >= 1"),
        (lambda o: o["lineItems"][0].update(quantity="2"), "lineItems.0.quantity: Expected `int`, got `str`"),
        (lambda o: o["lineItems"][0].update(quantity=1.5), "lineItems.0.quantity: Expected `int`, got `float`"),
        (lambda o: o["lineItems"][0].update(unitPriceMinor=-1), "lineItems.0.unitPriceMinor: Expected `int` >= 0"),
        (lambda o: o.update(currency="eur"), "currency: Expected `str` matching regex"),
        (lambda o: o.pop("customerId"), "customerId: required field missing"),
        (lambda o: o.update(totalMinor=1), "totalMinor 1 does not match the line items' total 1000"),
        (lambda o: o.update(customerId="c-404"), "unknown customer 'c-404'"),
        (lambda o: o["lineItems"][0].update(sku="p-404"), "unknown products: p-404"),
        (lambda o: o.update(lineItems=o["lineItems"] * 51), "lineItems: Expected `array` of length <= 50"),
    ],
)
def test_invalid_order_is_a_business_outcome_with_a_reason(
    catalogue: Any, lambda_context: FakeLambdaContext, mutate: Any, reason: str
) -> None:
    order = plain_order([("p-1", 1, 1000)])
    mutate(order)
    result = process_order.handler(request(order, table=catalogue), lambda_context)
    assert result["valid"] is False
    assert result["reason"].startswith(reason)


def test_malformed_request_is_an_error_not_an_outcome(catalogue: Any, lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(ValidationError):
        process_order.handler({"executionName": "x"}, lambda_context)


def test_throttled_table_raises_retryable_error() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("get_item", service_error_code="ProvisionedThroughputExceededException")
        with pytest.raises(RetryableError):
            OrderReferences(TABLE_NAME, client).customer("c-1")


def test_other_table_errors_are_not_retryable() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_client_error("batch_get_item", service_error_code="AccessDeniedException")
        with pytest.raises(Exception, match="AccessDeniedException") as error:
            OrderReferences(TABLE_NAME, client).stock_of(["p-1"])
    assert not isinstance(error.value, RetryableError)


def test_unprocessed_product_keys_are_asked_again() -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    keys = [{"pk": {"S": f"PRODUCT#{sku}"}, "sk": {"S": f"PRODUCT#{sku}"}} for sku in ("p-1", "p-2")]
    with Stubber(client) as stubber:
        stubber.add_response(
            "batch_get_item",
            {
                "Responses": {TABLE_NAME: [{"pk": {"S": "PRODUCT#p-1"}, "stock": {"N": "3"}}]},
                "UnprocessedKeys": {TABLE_NAME: {"Keys": keys[1:], "ProjectionExpression": "pk, stock"}},
            },
        )
        stubber.add_response("batch_get_item", {"Responses": {TABLE_NAME: [{"pk": {"S": "PRODUCT#p-2"}}]}})
        assert OrderReferences(TABLE_NAME, client).stock_of(["p-1", "p-2"]) == {"p-1": {"N": "3"}, "p-2": None}


def test_an_order_with_intakes_customer_snapshot_is_not_read_again(
    catalogue: Any, lambda_context: FakeLambdaContext
) -> None:
    """The snapshot intake attached is the customer; the customer's item is not read (here it even differs)."""
    order = plain_order([("p-1", 1, 1000)])
    order["customer"] = {"customerId": "c-1", "name": "Grace B. Hopper", "email": "grace@example.com", "tier": "gold"}
    stubbed = boto3.client("dynamodb", region_name="eu-west-1")
    with Stubber(stubbed) as stubber:
        stubber.add_response("get_item", {"Item": as_item(order)})  # the order itself
        product = {"pk": {"S": "PRODUCT#p-1"}, "stock": {"N": "5"}}
        stubber.add_response("batch_get_item", {"Responses": {TABLE_NAME: [product]}})
        references = OrderReferences(TABLE_NAME, client=stubbed)
        result = process_request(converted(request(order), ProcessOrderRequest), references, TABLE_NAME)
        stubber.assert_no_pending_responses()  # the order, one BatchGetItem for the products, not the customer
    assert result["customer"] == {"customerId": "c-1", "tier": "gold"}  # the snapshot's, without its personal fields


def test_an_order_without_a_snapshot_reads_its_customer(catalogue: Any, lambda_context: FakeLambdaContext) -> None:
    result = process_order.handler(request(plain_order([("p-1", 1, 1000)]), table=catalogue), lambda_context)
    assert result["customer"] == {"customerId": "c-1"}


@pytest.mark.parametrize("status", ["SHIPPED", "INVALID", "BACKORDERED", "FAILED"])
def test_a_settled_order_is_left_as_it_is(catalogue: Any, lambda_context: FakeLambdaContext, status: str) -> None:
    order = plain_order([("p-1", 1, 1000)]) | {"status": status}
    assert process_order.handler(request(order, table=catalogue), lambda_context) == {"status": status}


def test_a_reserved_order_gets_its_plan_to_ship_or_release(catalogue: Any, lambda_context: FakeLambdaContext) -> None:
    order = plain_order([("p-1", 2, 1000)]) | {"status": "RESERVED"}
    result = process_order.handler(request(order, table=catalogue), lambda_context)
    assert (result["status"], result["valid"], list(result["lineItems"])) == (
        "RESERVED", True, [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 1000}])  # fmt: skip
    assert result["reservation"]["release"][0]["Update"]["ExpressionAttributeValues"][":new"] == {"S": "FAILED"}


def test_an_order_that_is_gone_is_absent(catalogue: Any, lambda_context: FakeLambdaContext) -> None:
    assert process_order.handler(request({}, order_id="o-gone"), lambda_context) == {"status": "ABSENT"}


def test_a_product_whose_stock_is_not_a_number_makes_the_order_invalid_with_that_reason(
    catalogue: Any, lambda_context: FakeLambdaContext
) -> None:
    """A stock of "lots" made the reservation's condition fail, and the order ended BACKORDERED, "Not enough stock":
    the catalogue was wrong, not the stock level."""
    item = product_item("p-1", stock=5)
    catalogue.put_item(TableName=TABLE_NAME, Item={**item, "stock": {"S": "lots"}})
    result = process_order.handler(request(plain_order([("p-1", 1, 1000)]), table=catalogue), lambda_context)
    assert (result["valid"], result["reason"]) == (False, "products whose stock is not a number: p-1 (S 'lots')")
