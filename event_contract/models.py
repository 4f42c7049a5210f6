"""The event contract: what every entity's item holds as events carry it, and the envelope around it.

This is the one source of truth for the event shapes. The JSON Schemas in the schema registry, docs/events.md and
the contract tests are all generated from these models (event_contract/schemas.py); the enrichment itself publishes
whatever the table holds, so an attribute these models do not know still reaches consumers, and the contract tests
name it.

Models of items allow attributes they do not list (consumers must ignore what they do not know); the envelope's
metadata does not. A field that is `None`-able here may be absent from an event; every other field is required.

Personal fields (lambdas/shared/personal_data.py) are in the table and never in an event: the models leave them out,
and the schemas name them in their descriptions as withheld (`metadata.withheld` lists those an item had).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT, Entity
from lambdas.shared.orders import ID_PATTERN, MAX_QUANTITY, OrderStatus

TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"


class _Item(BaseModel):
    """An item of the single table as plain JSON: its key, then its attributes, without the attributes that only
    place it in the table's indexes (lambdas/shared/table_keys.py INDEX_ATTRIBUTES)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    pk: str = Field(description="partition key, `<ENTITY>#<id>`")
    sk: str = Field(description="sort key; equal to the partition key for entities")
    version: int | None = Field(
        default=None, ge=1, description="1 when created, one more with every change (absent: a writer outside the app)"
    )


class CustomerSnapshot(BaseModel):
    """The customer as intake found them when it accepted the order (later changes to the customer do not change
    an order's snapshot). Withheld from events: the snapshot's `name` and `email`, which stay in the table."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    customer_id: str = Field(alias="customerId", pattern=ID_PATTERN)
    tier: str | None = Field(default=None, description="the customer's tier, e.g. standard or gold")


class OrderLineItem(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    sku: str
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_minor: int = Field(alias="unitPriceMinor", ge=0, description="price of one unit, minor units")


class OrderItem(_Item):
    order_id: str = Field(alias="orderId", pattern=ID_PATTERN, description="the producer's order id")
    status: OrderStatus = Field(description="where the order workflow has taken the order")
    customer_id: str = Field(alias="customerId", pattern=ID_PATTERN, description="the ordering customer's id")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    total_minor: int = Field(alias="totalMinor", ge=0, description="sum of the line items, minor units")
    line_items: list[OrderLineItem] = Field(alias="lineItems", min_length=1)
    created_at: str = Field(alias="createdAt", pattern=TIMESTAMP_PATTERN, description="when intake accepted it")
    customer: CustomerSnapshot | None = Field(
        default=None, description="the customer when intake accepted the order; absent on orders written otherwise"
    )
    correlation_id: str | None = Field(
        default=None, alias="correlationId", description="the producer's, or the message id"
    )
    causation_id: str | None = Field(
        default=None,
        alias="causationId",
        description="what caused the last change: the intake message, the event that started the workflow, or "
        "`restart:<who>`; absent when it is the correlation id",
    )
    submission_fingerprint: str | None = Field(
        default=None, alias="submissionFingerprint", description="tells a redelivered submission from another order"
    )
    updated_at: str | None = Field(
        default=None, alias="updatedAt", pattern=TIMESTAMP_PATTERN, description="the last status change"
    )
    status_reason: str | None = Field(default=None, alias="statusReason", description="why INVALID or FAILED")
    shipment_id: str | None = Field(default=None, alias="shipmentId", description="set when SHIPPED")
    shipped_at: str | None = Field(
        default=None,
        alias="shippedAt",
        pattern=TIMESTAMP_PATTERN,
        description="when its shipment was booked; set when SHIPPED",
    )
    workflow_execution: str | None = Field(
        default=None,
        alias="workflowExecution",
        description="the name of the workflow execution that made the last status change",
    )


class CustomerErasure(BaseModel):
    """What `ops.privacy erase` removed and when: the erasure record, without personal data."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    erased_at: str = Field(alias="erasedAt", pattern=TIMESTAMP_PATTERN)
    erased_by: str = Field(alias="erasedBy", description="the operator's identity (an IAM ARN)")
    fields: list[str] = Field(description="the personal fields removed from the customer's item")
    orders: int = Field(ge=0, description="orders whose customer snapshot lost its personal fields")


class CustomerItem(_Item):
    """Withheld from events: the customer's `name` and `email`, which stay in the table (read them with the Data
    stack's `grant_read_personal_data`). A CustomerUpdated whose `data` equals its `previous` changed only those."""

    customer_id: str = Field(alias="customerId", pattern=ID_PATTERN)
    tier: str | None = None
    erasure: CustomerErasure | None = Field(
        default=None, description="set when the customer's personal data was erased"
    )


class ProductItem(_Item):
    sku: str = Field(pattern=ID_PATTERN)
    stock: int = Field(description="units on hand; the workflow reserves from it")
    price_minor: int = Field(alias="priceMinor", ge=0)


ITEM_MODELS: dict[Entity, type[_Item]] = {
    ORDER: OrderItem,
    CUSTOMER: CustomerItem,
    PRODUCT: ProductItem,
}


class EventKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pk: str
    sk: str | None


class EventMetadata(BaseModel):
    """What the enrichment says about the change (lambdas/enrichment/envelope.py writes it)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    event_id: str = Field(alias="eventId", description="the stream record's id: stable across retries and replays")
    source: str = Field(description="the event's source, `orders.table`")
    detail_type: str = Field(alias="detailType", description="the event's detail-type, `<Entity><Change>`")
    entity: str = Field(description="Order, Customer, Product or Shipment")
    entity_id: str = Field(alias="entityId", description="the id in the partition key, after `<ENTITY>#`")
    change: str = Field(description="INSERT, MODIFY or REMOVE")
    keys: EventKeys = Field(description="the item's table key: `pk`, `sk`")
    occurred_at: int = Field(alias="occurredAt", description="when the change happened, epoch milliseconds")
    occurred_time: str = Field(alias="occurredTime", pattern=TIMESTAMP_PATTERN, description="the same, RFC 3339")
    sequence_number: str = Field(alias="sequenceNumber", description="the stream record's, ordered per item")
    schema_version: str = Field(alias="schemaVersion", description="changes on an incompatible schema change")
    correlation_id: str = Field(alias="correlationId", description="the item's correlationId, else the event id")
    origin_region: str = Field(alias="originRegion", description="the region whose stream pipe published it")
    numbers_as_strings: list[str] | None = Field(
        default=None, alias="numbersAsStrings", description="attributes whose number no double holds, kept as text"
    )
    withheld: list[str] | None = Field(
        default=None, description="personal fields the item has that the event leaves out (they stay in the table)"
    )
    version: int | None = Field(
        default=None,
        ge=1,
        description="the item's version after the change (before it, for a deletion): keep the highest, ignore an "
        "older one delivered late; absent for an item a writer outside the app wrote without one",
    )
    causation_id: str | None = Field(
        default=None,
        alias="causationId",
        description="what caused the change (the item's `causationId`), when the item names it",
    )
    backfilled: str | None = Field(
        default=None,
        pattern=TIMESTAMP_PATTERN,
        description="set on an item's state delivered by `ops.backfill` (to one consumer, never on the bus): when; "
        "it is then a `<Entity>Created` of the item as it is, not a creation",
    )
