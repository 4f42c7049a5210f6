"""An example event of every detail-type, built as production builds it: the items come from the code that writes
them, the stream record around them has the shape DynamoDB Streams gives the pipe, and the envelope is the
enrichment's own output."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lambdas.enrichment.envelope import envelope
from lambdas.intake.repository import order_item
from lambdas.intake.submission import OrderSubmission
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT, Entity
from lambdas.shared.table import Item
from lambdas.shared.validation import converted
from lambdas.ship_order.repository import stored_shipment
from lambdas.ship_order.shipment import ShipOrderRequest, shipment_item
from stacks.event_schemas import DetailType

EXAMPLE_TIME = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
REGION = "eu-west-1"
ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"


def example_items(entity: Entity) -> tuple[Item, Item]:
    """The entity's item as first written, then after a change."""
    if entity is ORDER:
        submission = converted({
            "orderId": "o-1001", "customerId": "c-42", "currency": "EUR",
            "lineItems": [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 4500}],
        }, OrderSubmission)  # fmt: skip
        customer = CustomerSnapshot(customer_id="c-42", name="Ada Lovelace", email="ada@example.com", tier="gold")
        created = order_item(submission, "req-7f3a", EXAMPLE_TIME, customer)
        return created, {**created, "status": {"S": "PROCESSING"}, "updatedAt": {"S": "2026-11-23T10:00:01.000Z"}}
    if entity is CUSTOMER:
        created = customer_item("c-42", "Ada Lovelace", "ada@example.com", "gold")
        return created, {**created, "email": {"S": "ada.lovelace@example.com"}}
    if entity is PRODUCT:
        created = product_item("p-1", 10, 4500)
        return created, {**created, "stock": {"N": "8"}}
    line = {"sku": "p-1", "quantity": 2, "unitPriceMinor": 4500}
    request = converted({"orderId": "o-1001", "correlationId": "req-7f3a", "lineItems": [line]}, ShipOrderRequest)
    created = stored_shipment("o-1001", shipment_item(request, EXAMPLE_TIME))
    return created, {**created, "status": {"S": "DELIVERED"}}  # the app writes a shipment once; a carrier may not


def example_event(detail_type: DetailType) -> dict[str, Any]:
    """The event the pipe puts on the bus for this change of the example item."""
    before, after = example_items(detail_type.entity)
    images = {"INSERT": {"NewImage": before}, "MODIFY": {"NewImage": after, "OldImage": before},
              "REMOVE": {"OldImage": after}}[detail_type.change]  # fmt: skip
    record = {
        "eventID": f"{detail_type.name.lower()}0000000000000000000001",
        "eventName": detail_type.change,
        "awsRegion": REGION,
        "dynamodb": {
            "ApproximateCreationDateTime": int(EXAMPLE_TIME.timestamp()),
            "Keys": {"pk": before["pk"], "sk": before["sk"]},
            "SequenceNumber": "100000000000000000001",
            "SizeBytes": 512,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            **images,
        },
    }
    detail = envelope(record)
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": detail_type.name,
        "source": detail["metadata"]["source"],
        "account": ACCOUNT,
        "time": detail["metadata"]["occurredTime"],
        "region": REGION,
        "resources": [TABLE_ARN],
        "detail": detail,
    }
