"""An example event of every detail-type, built as production builds it: the items come from the code that writes
them, the stream record around them has the shape DynamoDB Streams gives the pipe, and the envelope is the
enrichment's own output."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from event_contract.schemas import DetailType
from lambdas.enrichment.envelope import envelope
from lambdas.intake.repository import order_item
from lambdas.intake.submission import OrderSubmission
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT, Entity
from lambdas.shared.table import Item
from lambdas.shared.validation import converted

EXAMPLE_TIME = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
REGION = "eu-west-1"
ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"


class UnknownEntity(LookupError):
    """An entity this module has no example builder for: add one next to the others (docs/changing.md)."""


def _order() -> tuple[Item, Item]:
    submission = converted({
        "orderId": "o-1001", "customerId": "c-42", "currency": "EUR",
        "lineItems": [{"sku": "p-1", "quantity": 2, "unitPriceMinor": 4500}],
    }, OrderSubmission)  # fmt: skip
    customer = CustomerSnapshot(customer_id="c-42", name="Ada Lovelace", email="ada@example.com", tier="gold")
    created = order_item(submission, "req-7f3a", EXAMPLE_TIME, customer)
    return created, {**created, "status": {"S": "PROCESSING"}, "updatedAt": {"S": "2026-11-23T10:00:01.000Z"}}


def _customer() -> tuple[Item, Item]:
    created = customer_item("c-42", "Ada Lovelace", "ada@example.com", "gold")
    return created, {**created, "email": {"S": "ada.lovelace@example.com"}}


def _product() -> tuple[Item, Item]:
    created = product_item("p-1", 10, 4500)
    return created, {**created, "stock": {"N": "8"}}


# One builder per entity, each through the code that writes that entity's item.
EXAMPLE_ITEMS: dict[Entity, Callable[[], tuple[Item, Item]]] = {
    ORDER: _order,
    CUSTOMER: _customer,
    PRODUCT: _product,
}


def example_items(entity: Entity) -> tuple[Item, Item]:
    """The entity's item as first written, then after a change. An entity without a builder is refused: an
    example of another entity's shape would document the wrong event."""
    builder = EXAMPLE_ITEMS.get(entity)
    if builder is None:
        raise UnknownEntity(
            f"no example item for entity {entity.name!r} ({entity.key_prefix}): add a builder to EXAMPLE_ITEMS in "
            "event_contract/examples.py that writes its item with the production code"
        )
    return builder()


def example_stream_record(detail_type: DetailType) -> dict[str, Any]:
    """The stream record DynamoDB Streams hands the pipe for this change of the example item."""
    before, after = example_items(detail_type.entity)
    images = {"INSERT": {"NewImage": before}, "MODIFY": {"NewImage": after, "OldImage": before},
              "REMOVE": {"OldImage": after}}[detail_type.change]  # fmt: skip
    return {
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


def example_event(detail_type: DetailType) -> dict[str, Any]:
    """The event the pipe puts on the bus for this change of the example item."""
    detail = envelope(example_stream_record(detail_type))
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
