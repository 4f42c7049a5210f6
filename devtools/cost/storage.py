"""What the tables keep, priced apart from the per-order total: a month of orders adds this much to every later
month's bill for as long as it is kept (a table without TTL keeps it forever), in every region that holds a copy.

DynamoDB bills an item's size plus 100 bytes of overhead, for the table and for each GSI's copy of it (a
KEYS_ONLY index keeps the keys); point-in-time recovery is billed on the table's size
(docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html, "storage")."""

from __future__ import annotations

from dataclasses import dataclass

from devtools.cost.bill import Bill, Line
from devtools.cost.deployed_settings import RegionSettings, Table
from devtools.cost.inputs import KB_PER_GB, OrderFootprint, Traffic

ITEM_OVERHEAD_BYTES = 100
INDEX_KEYS_BYTES = 120  # a KEYS_ONLY index entry: the table's keys and the index's (the measured items' keys)
# Customers and products do not grow with orders; shipments are on the order since schemaVersion 2 (decision 29)
PER_ORDER_ENTITIES = ("Order",)


@dataclass(frozen=True)
class Kept:
    table: str
    gigabytes_per_month: float  # added by a month of orders
    retention_months: float | None  # None: kept forever
    copies: list[str]  # the regions that hold it


def kept(regions: list[RegionSettings], traffic: Traffic, per: OrderFootprint) -> list[Kept]:
    [orders_table] = [r.orders_table for r in regions if r.orders_table is not None]
    order_bytes = sum(
        _with_indexes(per.kept_bytes.get(entity, 0.0), orders_table, per.kept_indexes.get(entity, set()))
        for entity in PER_ORDER_ENTITIES
    )
    store = regions[0].event_store_table
    event_bytes = per.events * _with_indexes(per.stored_event_bytes, store, set(store.index_projections))
    return [
        Kept(
            "orders table (orders)",
            traffic.accepted * order_bytes / KB_PER_GB / 1024,
            None,
            [r.region for r in regions],
        ),
        Kept(
            "event store",
            traffic.accepted * event_bytes / KB_PER_GB / 1024,
            _months(regions[0].event_store_retention_days),
            [r.region for r in regions if r.publishes],
        ),
    ]


def _months(days: int | None) -> float | None:
    return days / 30 if days else None


def _with_indexes(item_bytes: float, table: Table, indexed_in: set[str]) -> float:
    """The item and its copy in each GSI it stays in (a sparse index keeps only the items that have its keys)."""
    kept = [p for name, p in table.index_projections.items() if name in indexed_in]
    copies = sum(item_bytes if p == "ALL" else INDEX_KEYS_BYTES for p in kept)
    return item_bytes + copies + ITEM_OVERHEAD_BYTES * (1 + len(kept))


def storage_lines(bill: Bill, kept_tables: list[Kept]) -> list[Line]:
    """A month of orders kept for a month, in each region that holds a copy: the table and its PITR."""
    lines: list[Line] = []
    for table in kept_tables:
        for region in table.copies:
            before = len(bill.lines)
            bill.add(
                region,
                "DynamoDB",
                f"{table.table}: storage of one month of orders",
                "dynamodb.storage",
                table.gigabytes_per_month,
            )
            bill.add(
                region,
                "DynamoDB",
                f"{table.table}: point-in-time recovery of one month of orders",
                "dynamodb.pitr",
                table.gigabytes_per_month,
            )
            lines += bill.lines[before:]
            del bill.lines[before:]
    return lines
