"""The entity registry of the single table: which partition-key prefixes are entities that publish events.

The stream pipe's filter and the enrichment Lambda both derive from this one table, so they cannot disagree.
"""

from __future__ import annotations

from typing import NamedTuple

from lambdas.shared.table_keys import PARTITION_KEY, SORT_KEY

KEY_SEPARATOR = "#"
EVENT_SOURCE = "orders.table"  # <service>.<component>
# 2: Shipment events are gone; the shipment is on the order (`shipmentId`, `shippedAt`), docs/decisions.md 29
# 3: personal fields (a customer's name and e-mail, on the customer and the order's snapshot) are withheld, decision 33
SCHEMA_VERSION = "3"

CHANGE_SUFFIXES = {"INSERT": "Created", "MODIFY": "Updated", "REMOVE": "Deleted"}


class Entity(NamedTuple):
    name: str
    key_prefix: str  # the partition key is f"{key_prefix}{entity_id}"

    def detail_type(self, change: str) -> str:
        """`<Entity><Change>`, e.g. OrderCreated for an INSERT of an ORDER# item."""
        return f"{self.name}{CHANGE_SUFFIXES[change]}"


ORDER = Entity("Order", "ORDER#")
CUSTOMER = Entity("Customer", "CUSTOMER#")
PRODUCT = Entity("Product", "PRODUCT#")  # a product's item holds its `stock`
ENTITIES = (ORDER, CUSTOMER, PRODUCT)
# Orders shipped under schemaVersion 1 have a SHIPMENT#<orderId> item (ShipmentCreated). None is written or published
# any more: the order carries its shipment (`shipmentId`, `shippedAt`). Operator tools still read the old ones.
LEGACY_SHIPMENT = Entity("Shipment", "SHIPMENT#")
_BY_PREFIX = {entity.key_prefix: entity for entity in ENTITIES}


def entity_of(partition_key: str) -> Entity | None:
    prefix, separator, entity_id = partition_key.partition(KEY_SEPARATOR)
    if not separator or not entity_id:
        return None
    return _BY_PREFIX.get(prefix + separator)


def entity_key(entity: Entity, entity_id: str) -> dict[str, str]:
    """The table key of an entity's item: partition and sort key are both `<PREFIX>#<id>`."""
    key = f"{entity.key_prefix}{entity_id}"
    return {PARTITION_KEY: key, SORT_KEY: key}
