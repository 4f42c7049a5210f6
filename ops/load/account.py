"""The account of a load run: what became of every order sent, from what the environment holds afterwards. Pure:
built from observations, so it is tested without an environment."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from lambdas.shared.orders import SETTLED_STATUSES
from ops.load.mixes import EXPECTED, POISON, LoadPlan, expected_history
from ops.load.observe import Stored

PERCENTILES = (50, 90, 99, 100)


@dataclass
class Observed:
    """What the run saw: when each order was first sent (epoch seconds), and what the environment holds after."""

    sent_at: dict[str, float]
    messages_sent: int
    orders: dict[str, dict[str, Any]]
    rejections: dict[str, str]
    histories: dict[str, list[Stored]]
    cached: dict[str, str | None]
    dead_letters_before: dict[str, int]
    dead_letters_after: dict[str, int]
    stock_after: dict[str, int | None]
    seconds_sending: float
    # Order -> seconds from its first change to the first poll that found it in the event store (run.follow).
    stored_after: dict[str, float] = field(default_factory=dict)


# An upper bound: the run finds an order's first event by polling a sample of orders every few seconds.
STORED_LATENCY = "change -> stored (polled)"


@dataclass
class Account:
    run_id: str
    mix: str
    sent: int
    messages: int
    written: int
    rejected: dict[str, int]  # reason -> orders
    terminal: dict[str, int]  # final status -> orders
    stuck: list[str]
    lost: list[str]
    wrong_outcome: list[str]
    events_missing: list[str]
    events_twice: list[str]
    cache_behind: list[str]
    dead_letters: dict[str, tuple[int, int]]  # queue -> (before, after), only those that changed
    stock: dict[str, int | None]
    orders_per_second: float | None
    latency_ms: dict[str, dict[str, int]] = field(default_factory=dict)  # "send -> written" -> {"p50": ...}
    poison: dict[str, str] = field(default_factory=dict)  # each kind of bad record: where its orders ended, and why
    problems: list[str] = field(default_factory=list)  # anything lost, duplicated, stuck, wrong or dead-lettered
    # What is wrong but loses nothing: an order whose cache entry is behind the table when the run ends. The sync
    # caches the table's state, never an older one (docs/design.md), so this is a sync not done yet: a message
    # waiting out its visibility timeout after a failure (Momento down), or in the sync buffer's DLQ.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def account(plan: LoadPlan, seen: Observed) -> Account:
    by_id = {planned.order_id: planned for planned in plan.orders}
    rejected_expected = {o for o, p in by_id.items() if EXPECTED[p.outcome] == "REJECTED"}
    final = {o: str(item.get("status")) for o, item in seen.orders.items()}
    stuck = sorted(o for o, status in final.items() if status not in SETTLED_STATUSES)
    lost = sorted(o for o in by_id if o not in seen.orders and o not in seen.rejections)
    wrong = sorted(o for o, p in by_id.items() if _wrong(p.outcome, final.get(o), o in seen.rejections)
                   or not _reason_given(p.reason, _reason_of(o, seen)))  # fmt: skip
    missing, twice = _history_problems(final, seen.histories, {o: p.outcome for o, p in by_id.items()})
    behind = sorted(o for o, status in seen.cached.items() if o in final and status != final[o])
    changed = {q: (n, seen.dead_letters_after.get(q, 0)) for q, n in seen.dead_letters_before.items()
               if seen.dead_letters_after.get(q, 0) != n}  # fmt: skip
    result = Account(
        run_id=plan.run_id, mix=plan.mix, sent=len(by_id), messages=seen.messages_sent, written=len(seen.orders),
        rejected=dict(Counter(seen.rejections.values())), terminal=dict(Counter(s for s in final.values()
                                                                                if s in SETTLED_STATUSES)),
        stuck=stuck, lost=lost, wrong_outcome=wrong, events_missing=missing, events_twice=twice,
        cache_behind=behind, dead_letters=changed, stock=seen.stock_after,
        orders_per_second=_throughput(seen, final),
        latency_ms=_latencies(seen), poison=_poison(plan, seen),
    )  # fmt: skip
    result.problems = _problems(result, plan, rejected_expected, seen)
    if behind:
        result.warnings.append(f"{len(behind)} orders behind in the cache (not synced yet: the sync buffer and its "
                               f"DLQ hold them), e.g. {', '.join(behind[:3])}")  # fmt: skip
    return result


def _wrong(outcome: str, status: str | None, rejected: bool) -> bool:
    expected = EXPECTED[outcome]
    if expected == "REJECTED":
        return not rejected or status is not None
    if status is None or status not in SETTLED_STATUSES:
        return False  # lost or stuck: counted as such
    return status not in expected.split(" or ")


def _reason_of(order_id: str, seen: Observed) -> Any:
    """Where an order's reason is: its rejected message, or the order's `statusReason`."""
    return seen.rejections.get(order_id) or seen.orders.get(order_id, {}).get("statusReason")


def _reason_given(expected: str | None, given: Any) -> bool:
    return expected is None or (isinstance(given, str) and expected in given)


def _poison(plan: LoadPlan, seen: Observed) -> dict[str, str]:
    """Per kind of bad record: how many orders, where they ended, and one reason they carry."""
    ended: dict[str, Counter[str]] = {}
    reasons: dict[str, str] = {}
    for planned in plan.orders:
        if planned.outcome not in POISON:
            continue
        order = seen.orders.get(planned.order_id, {})
        where = "rejected" if planned.order_id in seen.rejections else str(order.get("status", "nowhere"))
        ended.setdefault(planned.outcome, Counter())[where] += 1
        reason = _reason_of(planned.order_id, seen)
        if reason:
            reasons.setdefault(planned.outcome, str(reason))
    return {kind: ", ".join(f"{where} {n}" for where, n in sorted(counts.items()))
            + (f": {reasons[kind]}" if kind in reasons else "") for kind, counts in ended.items()}  # fmt: skip


def _history_problems(
    final: dict[str, str], histories: dict[str, list[Stored]], outcomes: dict[str, str]
) -> tuple[list[str], list[str]]:
    """An order's events must record exactly the statuses on its way to its final one, each once."""
    missing, twice = [], []
    for order_id, status in final.items():
        expected = expected_history(outcomes.get(order_id, ""), status)
        if expected is None:
            continue
        stored = histories.get(order_id, [])
        statuses = [event.status for event in stored]
        ids = [event.event_id for event in stored]
        if len(set(ids)) < len(ids) or any(statuses.count(s) > 1 for s in set(statuses)):
            twice.append(order_id)
        elif statuses != expected:
            missing.append(order_id)
    return sorted(missing), sorted(twice)


def _throughput(seen: Observed, final: dict[str, str]) -> float | None:
    """Settled orders per second, from the first send to the last order settling."""
    settled = [epoch_seconds(item.get("updatedAt")) for o, item in seen.orders.items() if final[o] in SETTLED_STATUSES]
    settled_at = [t for t in settled if t is not None]
    if not settled_at or not seen.sent_at:
        return None
    elapsed = max(settled_at) - min(seen.sent_at.values())
    return round(len(settled_at) / elapsed, 2) if elapsed > 0 else None


def _latencies(seen: Observed) -> dict[str, dict[str, int]]:
    """From the producer's send to intake writing the order (its createdAt) and to its final status (updatedAt)."""
    written = []
    for order_id, item in seen.orders.items():
        sent, created = seen.sent_at.get(order_id), epoch_seconds(item.get("createdAt"))
        if sent is not None and created is not None:
            written.append(created - sent)
    settled = [at - sent for sent, at in settled_times(seen)]
    stored = list(seen.stored_after.values())
    return {name: _percentiles(values) for name, values in (("send -> written", written),
                                                             ("send -> settled", settled),
                                                             (STORED_LATENCY, stored)) if values}  # fmt: skip


def _percentiles(seconds: list[float]) -> dict[str, int]:
    ordered = sorted(seconds)
    return {f"p{p}": round(1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))])
            for p in PERCENTILES}  # fmt: skip


def settled_times(seen: Observed) -> list[tuple[float, float]]:
    """(first sent, settled) in epoch seconds for each settled order the run sent: its final status was written at
    its `updatedAt`."""
    times = []
    for order_id, item in seen.orders.items():
        sent, updated = seen.sent_at.get(order_id), epoch_seconds(item.get("updatedAt"))
        if sent is not None and updated is not None and item.get("status") in SETTLED_STATUSES:
            times.append((sent, updated))
    return times


def epoch_seconds(timestamp: Any) -> float | None:
    """An item's time attribute (ISO 8601, `Z`) in epoch seconds; None when the item has none."""
    if not isinstance(timestamp, str):
        return None
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def _problems(result: Account, plan: LoadPlan, rejected_expected: set[str], seen: Observed) -> list[str]:
    problems = []
    for name, orders in (("lost", result.lost), ("stuck", result.stuck),
                         ("with the wrong outcome", result.wrong_outcome),
                         ("with events missing", result.events_missing),
                         ("with an event twice", result.events_twice)):  # fmt: skip
        if orders:
            problems.append(f"{len(orders)} orders {name}, e.g. {', '.join(orders[:3])}")
    if len(seen.rejections) != len(rejected_expected):
        problems.append(f"{len(seen.rejections)} orders rejected, {len(rejected_expected)} expected")
    grown = {q: d for q, d in result.dead_letters.items() if d[1] > d[0]}
    if grown:
        problems.append("dead letters arrived: " + ", ".join(f"{q} {b} -> {a}" for q, (b, a) in grown.items()))
    if plan.mix == "contention":
        problems += _contention_problems(result, plan)
    return problems


def _contention_problems(result: Account, plan: LoadPlan) -> list[str]:
    """Exactly the stock's worth shipped, the rest backordered, and the stock at zero, never below."""
    [(product, units)] = plan.stock.items()
    shipped, backordered = result.terminal.get("SHIPPED", 0), result.terminal.get("BACKORDERED", 0)
    problems = []
    if shipped != min(units, result.sent) or backordered != result.sent - shipped:
        problems.append(f"contention: {shipped} shipped and {backordered} backordered for {units} units and "
                        f"{result.sent} orders")  # fmt: skip
    left = result.stock.get(product)
    if left != max(units - result.sent, 0):
        problems.append(f"contention: {left} units left of {units}, expected {max(units - result.sent, 0)}")
    return problems
