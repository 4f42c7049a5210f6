"""Personal data (docs/decisions.md 33): the run's customer's name and e-mail are in the table and nowhere downstream
of it (the event store, the high-value review message, the requests the cache received), and `ops.privacy`'s
erasure removes them from the table too, while the customer's orders stay shipped."""

from __future__ import annotations

import json
import time
from typing import Any

from lambdas.shared.entities import CUSTOMER, ORDER
from ops.privacy.erasure import erase
from ops.privacy.holdings import holdings
from ops.smoke.data import CUSTOMER_NAME
from ops.smoke.scenario import Scenario
from ops.smoke.trace import HopFailed

ERASED_BY = "ops.smoke"  # who the erasure record names (the operator's ARN when `ops.privacy` runs it)


def personal_data_stays_in_the_table(run: Scenario) -> None:
    personal = (CUSTOMER_NAME, run.data.customer_email)
    order_ids = [run.order_id(name) for name in sorted(run.sent)]
    stored = [e.raw for e in run.observe.events.of(CUSTOMER.name, run.data.customer_id)]
    for order_id in order_ids:
        stored += [e.raw for e in run.observe.events.of(ORDER.name, order_id)]
    _none_in(run, "event store -> no name or e-mail", stored, personal)
    _none_in(run, "high-value review message -> none", run.review_messages, personal)
    if run.observe.requests is None:
        run.trace.skip("cache requests -> none", "only the local stand-in logs the requests it receives")
    else:
        requests = [entry for entry in run.observe.requests.entries() if entry["time"] >= run.started_at]
        _none_in(run, "cache requests -> none", requests, personal)

    started = time.monotonic()
    table = run.observe.table
    found = run.require(holdings(table.client, table.name, run.data.customer_id), "ops.privacy erase", "the customer")
    report = erase(table.client, table.name, found, cache=run.observe.cache, who=ERASED_BY)
    run.trace.ok("ops.privacy erase", report.line(), time.monotonic() - started)
    left = [table.get(CUSTOMER, run.data.customer_id), *(table.get(ORDER, order_id) for order_id in order_ids)]
    _none_in(run, "... nothing personal left in the table", [item for item in left if item], personal)
    if table.status(run.order_id("o5")) != "SHIPPED":  # o1 was deleted by a user (steps_once.py)
        raise HopFailed(f"ops.privacy erase: o5 is {table.status(run.order_id('o5'))}, no longer SHIPPED")


def _none_in(run: Scenario, hop: str, seen: list[Any], personal: tuple[str, ...]) -> None:
    text = json.dumps(seen, ensure_ascii=False)
    found = [value for value in personal if value in text]
    if found:
        raise HopFailed(f"{hop}: {', '.join(found)} in plaintext")
    run.trace.ok(hop, f"none in {len(seen)} item(s)", 0.0)
