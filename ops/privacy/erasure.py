"""Erasing a customer's personal data (GDPR article 17) from the one place the app keeps it: the table.

Events never carry personal fields (lambdas/shared/personal_data.py), so the bus, its archive, the event store,
the catch-all log and the standby region's copies hold none, and the global table carries the erasure to the
standby region's replica. What is done, in this order, so that an interrupted erasure is finished by running it
again (the customer is marked erased last):
1. each order's snapshot loses its personal fields (no event: a personal-only change of an order is not one);
2. the cache entry of each of the customer's orders is deleted (the cache holds no personal field; the customer's
   orders go with them, as a consumer would expect of an erasure);
3. the customer's item loses its personal fields and gains the erasure record (when, by whom, what): a
   CustomerUpdated tells consumers that keep a copy to erase theirs; intake refuses the customer's new orders;
4. the orders are read again and step 1 repeated for any that appeared meanwhile.
What it does not reach: point-in-time recovery keeps the table's earlier states for 35 days, after which they are
gone (docs/decisions.md 33).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lambdas.shared.entities import CUSTOMER
from lambdas.shared.personal_data import ERASURE_ATTRIBUTE
from lambdas.shared.table import item_key
from lambdas.shared.table_keys import PARTITION_KEY, SORT_KEY
from lambdas.shared.versions import NEXT_VERSION, NEXT_VERSION_NAMES, NEXT_VERSION_VALUES
from ops.momento_cache import MomentoCache
from ops.privacy.holdings import Holdings, holdings, order_id_of


@dataclass(frozen=True)
class ErasurePlan:
    customer_id: str
    customer_fields: list[str]
    orders: list[str]  # order ids whose snapshot has personal fields
    cache_entries: list[str]  # every order id of the customer

    def describe(self) -> str:
        return (f"erase customer {self.customer_id}: remove {', '.join(self.customer_fields) or 'nothing'} from its "
                f"item, the personal fields of {len(self.orders)} order snapshots, and the cache entries of "
                f"{len(self.cache_entries)} orders; keep an erasure record on its item")  # fmt: skip


@dataclass
class ErasureReport:
    customer_id: str
    erased_at: str
    erased_by: str
    fields: list[str]
    orders: list[str] = field(default_factory=list)
    cache_entries_deleted: int = 0

    def line(self) -> str:
        kept = f"{CUSTOMER.key_prefix}{self.customer_id} ({self.erased_at}, by {self.erased_by})"
        return (f"erased customer {self.customer_id}: {', '.join(self.fields)} removed from its item and from "
                f"{len(self.orders)} order snapshots; {self.cache_entries_deleted} cache entries deleted; erasure "
                f"record kept on {kept}")  # fmt: skip


def plan_erasure(found: Holdings) -> ErasurePlan:
    return ErasurePlan(
        customer_id=found.customer_id,
        customer_fields=found.personal_fields(),
        orders=[order_id_of(o) for o in found.orders_with_personal_fields()],
        cache_entries=found.order_ids(),
    )


def erase(dynamodb: Any, table: str, found: Holdings, *, cache: MomentoCache | None, who: str,
          now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ErasureReport:  # fmt: skip
    plan = plan_erasure(found)
    at = now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    report = ErasureReport(found.customer_id, at, who, plan.customer_fields)
    report.orders += _erase_snapshots(dynamodb, table, found)
    if cache is not None:
        for order_id in plan.cache_entries:
            cache.delete(order_id)
            report.cache_entries_deleted += 1
    _erase_customer(dynamodb, table, found, _record(at, who, found.personal_fields(), len(report.orders)))
    again = holdings(dynamodb, table, found.customer_id)
    if again is not None:  # orders intake wrote while this ran (it refuses the customer once the record is there)
        report.orders += [o for o in _erase_snapshots(dynamodb, table, again) if o not in report.orders]
    return report


def _erase_snapshots(dynamodb: Any, table: str, found: Holdings) -> list[str]:
    erased = []
    for order in found.orders_with_personal_fields():
        fields = [path.partition(".")[2] for path in found.order_personal_fields(order)]
        names = {"#c": "customer", **{f"#f{i}": name for i, name in enumerate(fields)}, **NEXT_VERSION_NAMES}
        try:
            dynamodb.update_item(
                TableName=table,
                Key={PARTITION_KEY: order[PARTITION_KEY], SORT_KEY: order[SORT_KEY]},
                UpdateExpression="REMOVE " + ", ".join(f"#c.#f{i}" for i in range(len(fields))) + f" {NEXT_VERSION}",
                ConditionExpression="attribute_exists(#c)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=NEXT_VERSION_VALUES,
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            continue  # the order (or its snapshot) is gone: nothing of it to erase
        erased.append(order_id_of(order))
    return erased


def _record(at: str, who: str, fields: list[str], orders: int) -> dict[str, Any]:
    """The erasure record (event_contract.models.CustomerErasure): when, by whom, what; no personal data."""
    return {"M": {"erasedAt": {"S": at}, "erasedBy": {"S": who},
                  "fields": {"L": [{"S": name} for name in fields]}, "orders": {"N": str(orders)}}}  # fmt: skip


def _erase_customer(dynamodb: Any, table: str, found: Holdings, record: dict[str, Any]) -> None:
    fields = found.personal_fields()
    names = {"#erasure": ERASURE_ATTRIBUTE, **{f"#f{i}": name for i, name in enumerate(fields)}, **NEXT_VERSION_NAMES}
    removed = f"REMOVE {', '.join(f'#f{i}' for i in range(len(fields)))} " if fields else ""
    dynamodb.update_item(
        TableName=table,
        Key=item_key(CUSTOMER, found.customer_id),
        UpdateExpression=f"{removed}SET #erasure = :erasure {NEXT_VERSION}",
        ConditionExpression="attribute_exists(#pk) AND attribute_not_exists(#erasure)",
        ExpressionAttributeNames={**names, "#pk": PARTITION_KEY},
        ExpressionAttributeValues={":erasure": record, **NEXT_VERSION_VALUES},
    )
