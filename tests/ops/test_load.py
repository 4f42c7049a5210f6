"""ops.load: the plans of each mix, the account of what became of every order, and the run against a stand-in for
the app that settles each order as the app would (or loses, repeats or strands one, to see the account say so)."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lambdas.intake.submission import OrderSubmission
from lambdas.shared.validation import converted
from ops.load import run as load_run
from ops.load.account import STORED_LATENCY, Observed, account
from ops.load.cli import main
from ops.load.mixes import EXPECTED, HISTORIES, LoadPlan, expected_history
from ops.load.observe import LoadWorld, Stored

THRESHOLD = 500_000
SENT = 1796637600.0  # 2026-12-07T10:00:00Z, when every order was sent
CREATED = "2026-12-07T10:00:01.000Z"  # a second later, intake wrote each
CREATED_MS = 1796637601000


def test_the_default_mix_has_the_cost_models_shares_and_valid_messages() -> None:
    plan = LoadPlan.new("default", 200, THRESHOLD)
    assert Counter(p.outcome for p in plan.orders) == {"shipped": 186, "backordered": 6, "invalid": 4,
                                                        "rejected": 2, "high_value": 2}  # fmt: skip
    assert len({p.order_id for p in plan.orders}) == 200
    for planned in plan.orders:
        if planned.outcome != "rejected":
            converted(planned.body, OrderSubmission)  # intake's own parser accepts it


def test_contention_orders_four_times_the_stock_and_duplicates_send_twice() -> None:
    contention = LoadPlan.new("contention", 40, THRESHOLD)
    assert contention.stock == {"scarce": 10}
    assert {p.outcome for p in contention.orders} == {"contended"}
    assert {p.sends for p in LoadPlan.new("duplicates", 10, THRESHOLD).orders} == {2}


def settled_world(plan: LoadPlan, *, lose: str | None = None, twice: str | None = None) -> Observed:
    """What the environment would hold had every order ended as the plan says (contention: the first stock's worth
    shipped)."""
    orders, histories, rejections = {}, {}, {}
    scarce = plan.stock.get("scarce", 0)
    for number, planned in enumerate(plan.orders):
        expected = EXPECTED[planned.outcome]
        if expected == "REJECTED":
            rejections[planned.order_id] = planned.reason or "lineItems.0.quantity: Expected `int` >= 1"
            continue
        status = ("SHIPPED" if number < scarce else "BACKORDERED") if planned.outcome == "contended" else expected
        if planned.order_id == lose:
            continue
        orders[planned.order_id] = {"orderId": planned.order_id, "status": status, "createdAt": CREATED,
                                    "updatedAt": "2026-12-07T10:00:09.000Z"}  # fmt: skip
        if planned.reason:
            orders[planned.order_id]["statusReason"] = f"{planned.reason}: lots-sku (S 'lots')"
        events = [Stored(f"{planned.order_id}-{s}", s) for s in expected_history(planned.outcome, status) or []]
        histories[planned.order_id] = events + (events[-1:] if planned.order_id == twice else [])
    return Observed(
        sent_at={p.order_id: SENT for p in plan.orders}, messages_sent=len(plan.orders), orders=orders,
        rejections=rejections, histories=histories, cached={o: i["status"] for o, i in orders.items()},
        dead_letters_before={"Workflows/OrderCreatedDeadLetterQueue": 0},
        dead_letters_after={"Workflows/OrderCreatedDeadLetterQueue": 0},
        stock_after={"scarce": 0} if scarce else {}, seconds_sending=10.0,
    )  # fmt: skip


@pytest.mark.parametrize("mix", ["default", "contention", "duplicates", "poison"])
def test_an_account_of_a_run_where_everything_ended_as_planned_is_clean(mix: Any) -> None:
    plan = LoadPlan.new(mix, 100, THRESHOLD)
    result = account(plan, settled_world(plan))
    assert result.problems == []
    assert result.latency_ms["send -> written"]["p50"] == 1000
    assert result.latency_ms["send -> settled"]["p99"] == 9000


def test_the_account_names_a_lost_order_an_event_twice_and_a_dead_letter() -> None:
    plan = LoadPlan.new("default", 100, THRESHOLD)
    shipped = [p.order_id for p in plan.orders if p.outcome == "shipped"]
    seen = settled_world(plan, lose=shipped[0], twice=shipped[1])
    seen.dead_letters_after["Workflows/OrderCreatedDeadLetterQueue"] = 1
    result = account(plan, seen)
    assert (result.lost, result.events_twice) == ([shipped[0]], [shipped[1]])
    assert any("dead letters arrived" in problem for problem in result.problems)
    assert not result.ok


def test_contention_that_shipped_more_than_the_stock_is_a_problem() -> None:
    plan = LoadPlan.new("contention", 40, THRESHOLD)
    seen = settled_world(plan)
    seen.orders[plan.orders[-1].order_id]["status"] = "SHIPPED"
    seen.stock_after = {"scarce": -1}
    problems = account(plan, seen).problems
    assert [p for p in problems if p.startswith("contention")] == [
        "contention: 11 shipped and 29 backordered for 10 units and 40 orders",
        "contention: -1 units left of 10, expected 0",
    ]


class StandInApp:
    """The intake queue, table and event store of an app that settles each order as it is sent."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.outcomes = {p.order_id: EXPECTED[p.outcome] for p in plan.orders}
        self.written: dict[str, dict[str, Any]] = {}
        self.rejected: dict[str, str] = {}
        self.sqs = self
        self.seeded: list[dict[str, Any]] = []
        self.deleted: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        order_id = json.loads(MessageBody)["orderId"]
        status = self.outcomes[order_id]
        if status == "REJECTED":
            self.rejected[order_id] = "quantity"
        elif order_id not in self.written:
            self.written[order_id] = {"orderId": order_id, "status": status, "createdAt": "2026-12-07T10:00:01.000Z",
                                      "updatedAt": "2026-12-07T10:00:02.000Z"}  # fmt: skip

    def put(self, item: dict[str, Any]) -> None:
        self.seeded.append(item)

    def delete(self, key: dict[str, Any]) -> None:
        self.deleted.append(key)

    def orders(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return {o: dict(self.written[o]) for o in ids if o in self.written}

    def histories(self, ids: list[str]) -> dict[str, list[Stored]]:
        return {o: [Stored(f"{o}-{s}", s, CREATED_MS) for s in HISTORIES[self.written[o]["status"]]] for o in ids}

    def rejections(self, ids: set[str]) -> dict[str, str]:
        return {o: r for o, r in self.rejected.items() if o in ids}

    def cached(self, ids: list[str]) -> dict[str, str | None]:
        return {o: self.written[o]["status"] for o in ids}

    def dead_letters(self) -> dict[str, int]:
        return {}

    def stock(self, sku: str) -> int | None:
        return 0


def test_a_run_seeds_sends_follows_reads_back_and_removes_what_it_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_run, "POLL_SECONDS", 0.01)
    plan = LoadPlan.new("duplicates", 30, THRESHOLD)
    app = StandInApp(plan)
    lines: list[str] = []
    result = load_run.load(app, "queue", plan, rate=1000, timeout=5, keep=False, say=lines.append)  # type: ignore[arg-type]
    drawn = [line.split("drawn: ")[1] for line in lines if "drawn: " in line]
    assert len(drawn) == 1
    page = Path(drawn[0]).read_text()
    assert page.count("<svg") == 3
    assert "throughput" in page
    assert result.run_id in page
    assert result.ok, result.problems
    assert (result.sent, result.messages, result.written) == (30, 60, 30)
    assert len(app.seeded) == 4  # the run's customer and three products
    assert len(app.deleted) == 4 + 30
    assert any(line.startswith("  written 30, settled") for line in lines)
    assert STORED_LATENCY in result.latency_ms  # the stand-in's events are in its store as soon as it writes


class HalfStored:
    """Written orders of which only the even ones have their first event in the store (two seconds old)."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def histories(self, ids: list[str]) -> dict[str, list[Stored]]:
        self.asked.append(ids)
        stored_at_ms = int((time.time() - 2) * 1000)
        return {o: [Stored(f"{o}-created", "CREATED", stored_at_ms)] if int(o[1:]) % 2 == 0 else [] for o in ids}


def test_a_fixed_sample_of_orders_is_looked_for_in_the_store_until_found_and_timed_from_its_first_change() -> None:
    ids = [f"o{n:03}" for n in range(200)]
    world, watch = HalfStored(), load_run.FirstStored(ids)
    assert len(watch.sample) == load_run.STORE_SAMPLE
    assert watch.sample[:3] == ["o000", "o005", "o010"]
    written: dict[str, dict[str, Any]] = {o: {} for o in ids[:100]}  # the first half is written so far
    watch.poll(world, written)  # type: ignore[arg-type]
    watch.poll(world, written)  # type: ignore[arg-type]
    first, second = world.asked
    assert first == watch.sample[:20]  # the sampled orders written so far
    assert second == [o for o in first if int(o[1:]) % 2]  # then only those not found yet
    assert sorted(watch.after) == [o for o in first if int(o[1:]) % 2 == 0]
    assert all(2.0 <= seconds < 10.0 for seconds in watch.after.values())


def test_prod_is_refused_without_its_flag() -> None:
    err = io.StringIO()
    assert main(["--env", "prod", "--orders", "1"], out=io.StringIO(), err=err) == 1
    assert (
        err.getvalue()
        == "error: a load puts real orders through prod: add --i-know-this-is-prod if that is what you want\n"
    )


def test_an_order_behind_in_the_cache_is_a_warning_not_a_loss() -> None:
    """EventBridge does not keep order: the cache may hold an older status, which loses nothing (docs/design.md)."""
    plan = LoadPlan.new("default", 100, THRESHOLD)
    seen = settled_world(plan)
    shipped = next(p.order_id for p in plan.orders if p.outcome == "shipped")
    seen.cached[shipped] = "RESERVED"
    result = account(plan, seen)
    assert result.ok
    assert result.cache_behind == [shipped]
    assert result.warnings == [
        f"1 orders behind in the cache (not synced yet: the sync buffer and its DLQ hold them), e.g. {shipped}"
    ]


class RejectedQueue:
    """SQS's visibility rules for one queue: a received message is hidden for its timeout, shown again at 0."""

    def __init__(self, *bodies: dict[str, Any]) -> None:
        self.messages = {str(n): json.dumps(body) for n, body in enumerate(bodies)}
        self.hidden: set[str] = set()

    def receive_message(self, **_: Any) -> dict[str, Any]:
        shown = [(h, b) for h, b in self.messages.items() if h not in self.hidden][:10]
        self.hidden |= {h for h, _ in shown}
        return {"Messages": [{"ReceiptHandle": h, "Body": b} for h, b in shown]}

    def delete_message(self, ReceiptHandle: str, **_: Any) -> None:
        del self.messages[ReceiptHandle]
        self.hidden.discard(ReceiptHandle)

    def change_message_visibility(self, ReceiptHandle: str, VisibilityTimeout: int, **_: Any) -> None:
        if VisibilityTimeout == 0:
            self.hidden.discard(ReceiptHandle)


def test_the_runs_rejections_are_taken_and_everyone_elses_left_visible() -> None:
    """Another run's rejections stay hidden while the scan lasts (shown at once, the scan would meet them forever)."""
    ours, theirs = {"orderId": "load-1-o00001"}, {"orderId": "smoke-1-o1"}
    queue = RejectedQueue(*({"reason": f"r{n}", "body": json.dumps(theirs)} for n in range(25)),
                          {"reason": "quantity", "body": json.dumps(ours)})  # fmt: skip
    world = LoadWorld(lambda service: queue, table="t", event_store="s", rejected_queue_url="q", cache=None,
                      dead_letter_queues=[])  # fmt: skip
    assert world.rejections({"load-1-o00001"}) == {"load-1-o00001": "quantity"}
    assert len(queue.messages) == 25
    assert not queue.hidden


def test_the_poison_mix_puts_each_kind_of_bad_record_beside_good_orders() -> None:
    plan = LoadPlan.new("poison", 50, THRESHOLD)
    kinds = Counter(p.outcome for p in plan.orders)
    assert kinds == {"shipped": 40, "bad_customer": 2, "long_customer": 2, "stock_not_number": 2,
                     "heartbeat_tagged": 2, "keys_only_order": 2}  # fmt: skip
    [keys_only, *_] = [p for p in plan.orders if p.outcome == "keys_only_order"]
    assert set(keys_only.table_item or {}) == {"pk", "sk"}
    [tagged, *_] = [p for p in plan.orders if p.outcome == "heartbeat_tagged"]
    assert tagged.attributes == {"purpose": "heartbeat"}
    converted(tagged.body, OrderSubmission)  # a valid order: it must ship
    seeded = {item["pk"]["S"]: item for item in plan.seed_items()}
    assert "customerId" not in seeded[f"CUSTOMER#{plan.bad_customer_id}"]
    assert seeded[f"PRODUCT#{plan.sku('lots')}"]["stock"] == {"S": "lots"}
    assert {k["pk"]["S"] for k in plan.keys_to_remove()} >= set(seeded)


def test_a_poison_order_that_ends_without_its_reason_is_a_wrong_outcome() -> None:
    plan = LoadPlan.new("poison", 20, THRESHOLD)
    seen = settled_world(plan)
    bad = next(p.order_id for p in plan.orders if p.outcome == "bad_customer")
    seen.rejections[bad] = "unknown customer"  # rejected, but not for what is wrong
    result = account(plan, seen)
    assert result.wrong_outcome == [bad]
    assert result.poison["bad_customer"].startswith("rejected 1: unknown customer")
