"""Which customers a batch of order messages names, and each message with its customer's snapshot attached.

Each SQS record comes back as it came, in the same order, with one more key, `customerSnapshot`: the customer's
fields (event_contract/models.py, CustomerSnapshot), or null when the table has no such customer. A message whose
body names no customer (not JSON, no `customerId`) gets no key: intake rejects it for what is wrong with it.
Keeping records one-for-one and their `messageId`s intact lets the intake function's partial batch failures name the
same messages whether Pipes maps them back by id or by position: the Pipes guide says partial failures are not
supported for enrichments and retried through the whole pipe (eb-pipes-batching-concurrency.html), not how a
failure after an enrichment is mapped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from lambdas.shared.customer_snapshot import CUSTOMER_SNAPSHOT_KEY
from lambdas.shared.orders import ID_PATTERN

FindCustomers = Callable[[Iterable[str]], dict[str, dict[str, Any]]]


def customer_id_of(record: dict[str, Any]) -> str | None:
    """The body's `customerId`, if the body is a JSON object that has one that can be an id (a 3,000-character one
    would be refused by DynamoDB as a key and fail the whole batch's lookup; intake rejects it instead)."""
    try:
        body = json.loads(record.get("body", ""))
    except (TypeError, ValueError):
        return None
    customer_id = body.get("customerId") if isinstance(body, dict) else None
    return customer_id if isinstance(customer_id, str) and re.fullmatch(ID_PATTERN, customer_id) else None


def with_snapshots(records: list[dict[str, Any]], find_customers: FindCustomers) -> list[dict[str, Any]]:
    """One lookup for every customer of the batch; the records with their snapshots, in order."""
    customer_ids = [customer_id_of(record) for record in records]  # each body parsed once
    wanted = {customer_id for customer_id in customer_ids if customer_id}
    found = find_customers(sorted(wanted)) if wanted else {}
    return [
        record if customer_id is None else {**record, CUSTOMER_SNAPSHOT_KEY: found.get(customer_id)}
        for record, customer_id in zip(records, customer_ids, strict=True)
    ]
