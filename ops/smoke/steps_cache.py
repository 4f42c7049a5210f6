"""The cache: what Momento holds (any environment), every request the stand-in received (local runs), and an order's
events delivered newest first leaving the newest state cached (the sync caches the table's state, never the event's)."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from ops.smoke.scenario import EXPECTED_HISTORY, SETTLE_SECONDS, Scenario


def cache_requests(run: Scenario) -> None:
    o5 = run.order_id("o5")

    def shipped() -> dict[str, Any] | None:
        value = run.observe.cache.get(o5)
        return value if value and value.get("status") == "SHIPPED" else None

    run.trace.wait_for(
        "OrderUpdated -> cache sync -> cache",
        shipped,
        lambda value: f"GET {o5} from the cache: status {value['status']}, version {value.get('version')}",
        "status SHIPPED",
    )
    if run.observe.requests is None:
        run.trace.skip("Momento requests, one by one", "only the local stand-in logs the requests it receives")
        return
    run.trace.wait_for(
        "cache sync and topic -> Momento stand-in",
        lambda: None if requests_problem(run) else len(EXPECTED_HISTORY),
        lambda seen: f"{seen} orders: each change published once, the last cache request the final state",
        "every expected request",
        lambda: requests_problem(run) or "",
    )


def newest_first_stays_newest(run: Scenario) -> None:
    """o5's stored events, newest first, straight into the cache sync's buffer (as a late delivery, a redrive or a
    backfill would come): the entry must still be o5's newest version afterwards."""
    o5 = run.order_id("o5")
    events = [stored.raw for stored in run.observe.events.of("Order", o5) if stored.replay_name is None]
    newest = max(int(event["detail"]["metadata"].get("version") or 0) for event in events)
    since = time.time()
    for event in sorted(events, key=lambda e: -int(e["detail"]["metadata"].get("version") or 0)):
        run.observe.sqs.send_message(QueueUrl=run.observe.cache_sync_buffer_url, MessageBody=json.dumps(event))
    requests = run.observe.requests
    if requests is not None:

        def puts() -> int | None:
            return sum(1 for e in requests.about(o5, since) if e["method"] == "PUT") or None

        run.trace.wait_for(
            "events newest first -> cache sync",
            puts,
            lambda seen: f"{len(events)} events (versions {newest} down to 1) -> {seen} PUT of {o5}",
            "a PUT of o5",
        )
    time.sleep(SETTLE_SECONDS)  # the last sync of the batch, wherever Momento is

    def newest_cached() -> dict[str, Any] | None:
        value = run.observe.cache.get(o5)
        return value if value and value.get("version") == newest and value.get("status") == "SHIPPED" else None

    run.trace.wait_for(
        "... the cache keeps the newest state",
        newest_cached,
        lambda value: f"GET {o5}: status {value['status']}, version {value['version']} (the newest)",
        f"version {newest}, SHIPPED",
        lambda: str(run.observe.cache.get(o5)),
    )


def requests_problem(run: Scenario) -> str | None:
    """Per order: one topic publish per change (o1's OrderCreated was delivered twice, the duplicate delivery, so
    published twice); every cache request well formed, and the last one the order's final state (a DELETE for the
    order deleted)."""
    assert run.observe.requests is not None
    for name, history in EXPECTED_HISTORY.items():
        order_id = run.order_id(name)
        entries = run.observe.requests.about(order_id)
        for entry in entries:
            if problem := _shape_problem(entry, order_id):
                return f"{order_id}: {problem}"
        if problem := _topic_problem(name, history, entries) or _cache_problem(history, entries):
            return f"{order_id}: {problem}"
    return None


def _topic_problem(name: str, history: list[str | None], entries: list[dict[str, Any]]) -> str | None:
    statuses = [status for status in history if status is not None]
    changes = ["INSERT"] + ["MODIFY"] * (len(statuses) - 1) + (["REMOVE"] if None in history else [])
    if name == "o1":
        changes.append("INSERT")
    seen = Counter(json.loads(e["body"]).get("change") for e in entries if e["method"] == "POST")
    return None if seen == Counter(changes) else f"topic changes {dict(seen)}, expected {dict(Counter(changes))}"


def _cache_problem(history: list[str | None], entries: list[dict[str, Any]]) -> str | None:
    cached = [e for e in entries if e["method"] in ("PUT", "DELETE")]
    if not cached:
        return "never cached"
    last = cached[-1]
    if None in history:
        return None if last["method"] == "DELETE" else f"the last cache request is a {last['method']}, not a DELETE"
    puts = [json.loads(e["body"]) for e in cached if e["method"] == "PUT"]
    unknown = {p["status"] for p in puts} - set(history)
    if unknown:
        return f"cached statuses {sorted(unknown)} the order never had"
    final, newest = history[-1], max(p.get("version") or 0 for p in puts)
    if last["method"] != "PUT" or (puts[-1]["status"], puts[-1].get("version")) != (final, newest):
        return f"the last cache request is {last['method']} {puts[-1] if puts else ''}, not {final} version {newest}"
    return None


def _shape_problem(entry: dict[str, Any], order_id: str) -> str | None:
    request = f"{entry['method']} {entry['path']}"
    checks = [
        (entry["headers"].get("authorization") == "<withheld>", f"{request} carried no API key"),
        (entry["status"] < 300, f"{request} was answered {entry['status']}"),
        (entry["method"] != "POST" or entry["headers"].get("content-type") == "text/plain", f"{request}: content type"),
        (entry["path"].startswith("/topics/" if entry["method"] == "POST" else "/cache/"), f"{request}: wrong path"),
        (entry["method"] != "PUT" or entry["query"].get("ttl_seconds", "").isdigit(), f"{request}: no ttl_seconds"),
        (entry["method"] == "POST" or entry["query"].get("key") == order_id, f"{request}: key {entry['query']}"),
        (entry["method"] == "DELETE" or json.loads(entry["body"] or "{}").get("orderId") == order_id,
         f"{request}: body names another order"),
    ]  # fmt: skip
    return next((problem for ok, problem in checks if not ok), None)
