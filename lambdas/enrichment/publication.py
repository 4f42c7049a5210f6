"""Which table changes become events. Since schemaVersion 2 a product's stock-only change does not (decision 30);
since schemaVersion 3 neither does a change to an order's personal fields alone, i.e. their erasure (decision 33,
lambdas/shared/personal_data.py).

A reservation and its release change only a product's `stock`, once per product of every order: that was a
ProductUpdated per product per order, which no rule of the app consumed, and which the order's own events already
say (its RESERVED and FAILED changes carry its line items). Product events are now catalogue changes: a change to
anything else of the product (its price, its name) is published, with the stock level at that moment. The decision
is made here, on the record's two images, rather than in the pipe's filter: a filter can match values but not
compare the images, and a marker attribute would hide another writer's price change made after a reservation. An
enrichment may pass fewer events than it received (the Pipes guide, "Filtering events using enrichment").
"""

from __future__ import annotations

from typing import Any

from lambdas.shared.entities import PRODUCT, entity_of
from lambdas.shared.personal_data import personal_only_change
from lambdas.shared.table_keys import PARTITION_KEY
from lambdas.shared.versions import VERSION_ATTRIBUTE

STOCK = "stock"


def is_published(record: dict[str, Any]) -> bool:
    """False for the changes that are no event: a product's stock alone, an order's personal fields alone."""
    return not is_stock_only_change(record) and not is_personal_only_change(record)


def is_personal_only_change(record: dict[str, Any]) -> bool:
    stream = record.get("dynamodb") or {}
    before, after = stream.get("OldImage"), stream.get("NewImage")
    if record.get("eventName") != "MODIFY" or not isinstance(before, dict) or not isinstance(after, dict):
        return False
    entity = entity_of(((stream.get("Keys") or {}).get(PARTITION_KEY) or {}).get("S", ""))
    return entity is not None and personal_only_change(entity.name, before, after)


def is_stock_only_change(record: dict[str, Any]) -> bool:
    """A MODIFY of a product item whose images differ in `stock` and in nothing else."""
    stream = record.get("dynamodb") or {}
    key = ((stream.get("Keys") or {}).get(PARTITION_KEY) or {}).get("S", "")
    if record.get("eventName") != "MODIFY" or not key.startswith(PRODUCT.key_prefix):
        return False
    before, after = stream.get("OldImage"), stream.get("NewImage")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return False
    # The reservation's write also moves the item's version (lambdas/shared/versions.py): that is no change either.
    others_before = {name: value for name, value in before.items() if name not in (STOCK, VERSION_ATTRIBUTE)}
    others_after = {name: value for name, value in after.items() if name not in (STOCK, VERSION_ATTRIBUTE)}
    return others_before == others_after and before.get(STOCK) != after.get(STOCK)
