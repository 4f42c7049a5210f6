"""Which fields of the table's items are personal data, declared once: the enrichment withholds them from every
event, the event contract and docs/events.md show them as withheld, and `ops.privacy` erases them.

Personal data stays in the table, the one place it can be erased (docs/decisions.md 33): events carry the
customer's id, and a consumer that needs a personal field reads it from the customer's item with the Data stack's
`grant_read_personal_data`. So the bus, its archive, the catch-all log, the event store, the cache, the topic and
the standby region's copies never hold a name or an e-mail, and an erasure has nothing to chase there.

Each path is `<attribute>` or `<map attribute>.<key>`, as the item holds it (e.g. the order's customer snapshot).
"""

from __future__ import annotations

import re
from typing import Any

from lambdas.shared.entities import CUSTOMER, ORDER, PRODUCT
from lambdas.shared.versions import VERSION_ATTRIBUTE

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    CUSTOMER.name: ("name", "email"),
    ORDER.name: ("customer.name", "customer.email"),
}
# Fields whose names look personal and are not: declared so, with the reason, so that the check below is a decision.
NOT_PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    PRODUCT.name: {"name": "a product's name is catalogue data"},
}
# What a field that may hold personal data is called: a field matching this must be declared one way or the other
# (tests/contracts/test_personal_data.py reads every field the contract and the item builders know).
LOOKS_PERSONAL = re.compile(r"name|e-?mail|phone|address|birth|postcode|zip", re.IGNORECASE)
CHANGE_PUBLISHED_FOR = frozenset({CUSTOMER.name})  # see `personal_only_change`
# On a customer's item once `ops.privacy erase` has removed its personal fields: when, by whom, what (no personal data).
ERASURE_ATTRIBUTE = "erasure"


def withheld(entity_name: str, item: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[str]]:
    """(the plain-JSON item without its personal fields, the paths that were there and are withheld)."""
    if item is None:
        return None, []
    kept, paths = dict(item), []
    for path in PERSONAL_FIELDS.get(entity_name, ()):
        attribute, _, key = path.partition(".")
        if not key:
            if attribute in kept:
                del kept[attribute]
                paths.append(path)
        elif isinstance(kept.get(attribute), dict) and key in kept[attribute]:
            kept[attribute] = {name: value for name, value in kept[attribute].items() if name != key}
            paths.append(path)
    return kept, paths


def without_personal_attributes(entity_name: str, image: dict[str, Any]) -> dict[str, Any]:
    """The same for an item in DynamoDB JSON (a stream record's image): a map attribute's keys are under `M`."""
    kept = dict(image)
    for path in PERSONAL_FIELDS.get(entity_name, ()):
        attribute, _, key = path.partition(".")
        if not key:
            kept.pop(attribute, None)
            continue
        mapping = (kept.get(attribute) or {}).get("M")
        if isinstance(mapping, dict) and key in mapping:
            kept[attribute] = {"M": {name: value for name, value in mapping.items() if name != key}}
    return kept


def personal_only_change(entity_name: str, old_image: dict[str, Any], new_image: dict[str, Any]) -> bool:
    """Whether a MODIFY changed personal fields and nothing else (an erasure of an order's snapshot): such a change
    is no event, since its event would say nothing (the fields are withheld) and would set the order's cache entry
    that the erasure deletes. A customer's is published: a consumer that keeps a copy of the customer's personal
    data (read with the grant) must hear of a change to it, or of its erasure, to read the item again."""
    if entity_name in CHANGE_PUBLISHED_FOR or entity_name not in PERSONAL_FIELDS or old_image == new_image:
        return False
    # The erasure's write also moves the item's version (lambdas/shared/versions.py): that is no change either.
    before, after = ({k: v for k, v in image.items() if k != VERSION_ATTRIBUTE} for image in (old_image, new_image))
    return without_personal_attributes(entity_name, before) == without_personal_attributes(entity_name, after)
