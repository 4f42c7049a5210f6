"""A load run: seed, send at a rate, follow every order to its end, read back what happened, clean up."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from lambdas.shared.orders import SETTLED_STATUSES
from ops.load.account import Account, Observed, account
from ops.load.mixes import EXPECTED, MIX_SEED, LoadPlan, expected_history
from ops.load.observe import LoadWorld
from ops.load.picture import write_load_report

PROGRESS_SECONDS = 5.0
POLL_SECONDS = 3.0
# After the last order settles, its last changes still pass the stream pipe, the bus, the event store's buffer (a
# batching window of up to 20 s) and the cache sync's buffer.
RECORDING_GRACE_SECONDS = 90.0
CACHE_SETTLED_SECONDS = 15.0
STORE_SAMPLE = 40  # orders whose way into the event store is timed (FirstStored)


@dataclass
class Sent:
    at: dict[str, float]  # order id -> when it was first sent (epoch seconds)
    messages: int
    seconds: float


class FirstStored:
    """How long after an order's first change its event was first seen in the event store, for a fixed sample of
    the run's orders (every n-th), each looked for on every poll from when it is written until it is found: the
    figure is at most one poll late (a progress line while sending, 5 s; then 3 s)."""

    def __init__(self, order_ids: list[str]) -> None:
        step = max(1, -(-len(order_ids) // STORE_SAMPLE))
        self.sample = order_ids[::step]
        self.after: dict[str, float] = {}

    def poll(self, world: LoadWorld, orders: dict[str, dict[str, Any]]) -> None:
        waiting = [o for o in self.sample if o in orders and o not in self.after]
        histories, seen_at = world.histories(waiting), time.time()
        for order_id, history in histories.items():
            first = history[0].occurred_at_ms if history else None
            if first is not None:
                self.after[order_id] = max(0.0, seen_at - first / 1000)


def send(
    world: LoadWorld, queue_url: str, plan: LoadPlan, rate: float, say: Callable[[str], None], *, stored: FirstStored
) -> Sent:
    """Every planned message at Poisson intervals of mean 1/rate (as orders arrive, not on a beat); an order another
    writer puts in the table directly is written instead. The store's sample is polled with each progress line, so
    an order sent early is timed while the rest are sent (not only once they all are)."""
    gaps, started, due, messages = random.Random(MIX_SEED), time.time(), 0.0, 0
    at: dict[str, float] = {}
    last_said = started
    for planned in plan.orders:
        for _ in range(planned.sends):
            at.setdefault(planned.order_id, time.time())
            if planned.table_item is not None:
                world.put(planned.table_item)
                messages += 1
                continue
            attributes = {name: {"DataType": "String", "StringValue": value}
                          for name, value in (planned.attributes or {}).items()}  # fmt: skip
            world.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(planned.body),
                                   **({"MessageAttributes": attributes} if attributes else {}))  # fmt: skip
            messages += 1
            due += gaps.expovariate(rate)
            time.sleep(max(0.0, started + due - time.time()))
        if time.time() - last_said >= PROGRESS_SECONDS:
            say(f"  sent {len(at)} of {len(plan.orders)} orders")
            stored.poll(world, world.orders([o for o in stored.sample if o in at]))
            last_said = time.time()
    return Sent(at, messages, time.time() - started)


def follow(
    world: LoadWorld, plan: LoadPlan, timeout: float, say: Callable[[str], None], stored: FirstStored
) -> dict[str, dict[str, Any]]:
    """Polls the run's orders until every order intake should accept has settled, or the timeout."""
    ids = [p.order_id for p in plan.orders]
    accepted = sum(1 for p in plan.orders if EXPECTED[p.outcome] != "REJECTED")
    deadline = time.monotonic() + timeout
    while True:
        orders = world.orders(ids)
        stored.poll(world, orders)
        settled = sum(1 for item in orders.values() if item.get("status") in SETTLED_STATUSES)
        say(f"  written {len(orders)}, settled {settled} of {accepted}")
        if settled >= accepted or time.monotonic() >= deadline:
            return orders
        time.sleep(POLL_SECONDS)


def recorded(
    world: LoadWorld, plan: LoadPlan, orders: dict[str, dict[str, Any]], say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Each settled order's history in the event store and its status in the cache, read again while either is
    behind the table (for a while: the last changes are still on their way)."""
    final = {o: str(item.get("status")) for o, item in orders.items() if item.get("status") in SETTLED_STATUSES}
    outcomes = {p.order_id: p.outcome for p in plan.orders}
    histories, cached = world.histories(list(final)), world.cached(list(final))
    deadline = time.monotonic() + RECORDING_GRACE_SECONDS
    last_uncached, unchanged_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        unrecorded = [o for o, status in final.items() if _incomplete(histories[o], outcomes[o], status)]
        uncached = [o for o, status in cached.items() if status != final[o]]
        if len(uncached) != last_uncached:
            last_uncached, unchanged_since = len(uncached), time.monotonic()
        # A sync that failed comes back only after its buffer's visibility timeout: once the count stops moving, stop
        # waiting (the account warns of what is still behind).
        cache_settled = not uncached or time.monotonic() - unchanged_since >= CACHE_SETTLED_SECONDS
        if not unrecorded and cache_settled:
            break
        say(f"  behind the table: {len(unrecorded)} orders in the event store, {len(uncached)} in the cache")
        time.sleep(POLL_SECONDS)
        histories |= world.histories(unrecorded)
        cached |= world.cached(uncached)
    return histories, cached


def _incomplete(history: list[Any], outcome: str, status: str) -> bool:
    expected = expected_history(outcome, status)
    return expected is not None and [event.status for event in history] != expected


def load(world: LoadWorld, queue_url: str, plan: LoadPlan, *, rate: float, timeout: float, keep: bool,
         say: Callable[[str], None], recover: Callable[[], None] | None = None) -> Account:  # fmt: skip
    """`recover`: an operator's recovery (a chaos scenario's runbook steps), run once every order has settled and
    before the store, the cache and the DLQs are read back."""
    dead_letters_before = world.dead_letters()
    for item in plan.seed_items():
        world.put(item)
    say(f"load {plan.run_id}: {len(plan.orders)} orders of the {plan.mix} mix at {rate:g} a second")
    stored = FirstStored([p.order_id for p in plan.orders])
    sent = send(world, queue_url, plan, rate, say, stored=stored)
    say(f"  sent {sent.messages} messages in {sent.seconds:.1f} s")
    orders = follow(world, plan, timeout, say, stored)
    if recover is not None:
        recover()
    histories, cached = recorded(world, plan, orders, say)
    seen = Observed(
        sent_at=sent.at, messages_sent=sent.messages, orders=orders,
        rejections=world.rejections({p.order_id for p in plan.orders}), histories=histories,
        cached=cached, dead_letters_before=dead_letters_before,
        dead_letters_after=world.dead_letters(),
        stock_after={name: world.stock(plan.sku(name)) for name in plan.stock if name == "scarce"},
        seconds_sending=sent.seconds, stored_after=stored.after,
    )  # fmt: skip
    result = account(plan, seen)
    say(f"  drawn: {write_load_report(result, seen)}")
    if not keep:
        for key in plan.keys_to_remove():
            world.delete(key)
    return result


def printer(out: TextIO) -> Callable[[str], None]:
    return lambda line: print(line, file=out, flush=True)
