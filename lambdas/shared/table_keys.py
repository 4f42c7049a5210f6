"""Key names of the single table: the one definition the Data stack, the handlers and the tests share."""

from typing import NamedTuple

PARTITION_KEY = "pk"
SORT_KEY = "sk"
# Epoch seconds; DynamoDB deletes the item some time after it passes (and that REMOVE is never an event).
TTL_ATTRIBUTE = "expiresAt"


class IndexKeys(NamedTuple):
    name: str
    partition_key: str
    sort_key: str


# A customer's orders, newest last. It projects the keys only: an order's status writes then leave the index alone,
# and a reader gets the items by key (docs/decisions.md 31). The attributes keep the names they had under the index it
# replaced, GSI1 (projecting ALL), so no item was rewritten.
BY_CUSTOMER = IndexKeys(name="ByCustomer", partition_key="gsi1pk", sort_key="gsi1sk")
# A sparse index of the orders not yet settled: intake sets its keys on a new order, every write that settles the order
# (SHIPPED, INVALID, BACKORDERED, FAILED) removes them, so the order sweeper finds what is left open too long.
OPEN_ORDERS = IndexKeys(name="OpenOrders", partition_key="openShard", sort_key="openSince")
OPEN_ORDER_SHARDS = 4  # a new order's key spreads over this many partitions (`OPEN#<n>`)
# What a write that settles an order removes (an UpdateExpression's REMOVE clause).
SETTLED = f"REMOVE {OPEN_ORDERS.partition_key}, {OPEN_ORDERS.sort_key}"

# Attributes that only place an item in the table's indexes: how this table is laid out, not what the entity is.
# Events leave them out of `data` and `previous` (docs/decisions.md 31); the item's own key stays, as the contract
# requires it.
INDEX_ATTRIBUTES = frozenset(
    {BY_CUSTOMER.partition_key, BY_CUSTOMER.sort_key, OPEN_ORDERS.partition_key, OPEN_ORDERS.sort_key}
)
