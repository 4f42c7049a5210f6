"""The cache: what Momento holds (any environment), and every request the stand-in received (local runs)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ops.smoke.scenario import EXPECTED_HISTORY, Scenario

Expected = dict[str, Counter[tuple[str, str]]]


def cache_requests(run: Scenario) -> None:
    o5 = run.order_id("o5")

    def shipped() -> dict[str, Any] | None:
        value = run.observe.cache.get(o5)
        return value if value and value.get("status") == "SHIPPED" else None

    run.trace.wait_for(
        "OrderUpdated -> cache set",
        shipped,
        lambda value: f"GET {o5} from the cache: status {value['status']}",
        "status SHIPPED",
    )
    if run.observe.requests is None:
        run.trace.skip("Momento requests, one by one", "only the local stand-in logs the requests it receives")
        return
    expected = expected_requests(run)
    run.trace.wait_for(
        "API destinations -> Momento stand-in",
        lambda: None if requests_problem(run, expected) else sum(map(_total, expected.values())),
        lambda seen: f"{seen} requests with the expected paths, queries and bodies",
        "every expected request",
        lambda: requests_problem(run, expected) or "",
    )


def expected_requests(run: Scenario) -> Expected:
    """Per order, (method, status or change) counted: a set per Created/Updated, a publish per change, a delete per
    Deleted. o1's OrderCreated was delivered twice (the duplicate delivery), so it was set and published twice."""
    expected: Expected = {}
    for name, history in EXPECTED_HISTORY.items():
        statuses = [status for status in history if status is not None]
        changes = ["INSERT"] + ["MODIFY"] * (len(statuses) - 1)
        if name == "o1":
            statuses, changes = [*statuses, "PENDING"], [*changes, "INSERT"]
        counted = Counter(("PUT", s) for s in statuses) + Counter(("POST", c) for c in changes)
        if None in history:
            counted += Counter({("DELETE", ""): 1, ("POST", "REMOVE"): 1})
        expected[run.order_id(name)] = counted
    return expected


def requests_problem(run: Scenario, expected: Expected) -> str | None:
    assert run.observe.requests is not None
    for order_id, wanted in expected.items():
        entries = run.observe.requests.about(order_id)
        seen = Counter(_summary(entry) for entry in entries)
        if seen != wanted:
            return f"{order_id}: got {dict(seen)}, expected {dict(wanted)}"
        for entry in entries:
            if problem := _shape_problem(entry, order_id):
                return f"{order_id}: {problem}"
    return None


def _total(counted: Counter[tuple[str, str]]) -> int:
    return sum(counted.values())


def _summary(entry: dict[str, Any]) -> tuple[str, str]:
    body = json.loads(entry["body"]) if entry["body"] else {}
    if entry["method"] == "PUT":
        return ("PUT", str(body.get("status")))
    if entry["method"] == "POST":
        return ("POST", str(body.get("change")))
    return (entry["method"], "")


def _shape_problem(entry: dict[str, Any], order_id: str) -> str | None:
    request = f"{entry['method']} {entry['path']}"
    checks = [
        (entry["headers"].get("authorization") == "<withheld>", f"{request} carried no API key"),
        (entry["status"] < 300, f"{request} was answered {entry['status']}"),
        (entry["method"] != "POST" or entry["headers"].get("content-type") == "text/plain", f"{request}: content type"),
        (entry["path"].startswith("/topics/" if entry["method"] == "POST" else "/cache/"), f"{request}: wrong path"),
        (entry["method"] != "PUT" or entry["query"].get("ttl_seconds", "").isdigit(), f"{request}: no ttl_seconds"),
        (entry["method"] == "POST" or entry["query"].get("key") == order_id, f"{request}: key {entry['query']}"),
        (json.loads(entry["body"] or "{}").get("orderId") == order_id, f"{request}: body names another order"),
    ]
    return next((problem for ok, problem in checks if not ok), None)
