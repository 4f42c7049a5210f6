"""`python -m local_cloud.cost_check [--orders N] [--rate R]` (`make cost-check`): a counted run in the local cloud.

It sends N orders of the cost model's default mix (devtools/cost/inputs.py, Traffic: rejected, invalid, backordered
and high-value shares, two distinct products an order) through the intake queue at R orders a second, waits until
every accepted order is settled and its events are stored, then counts what they caused and prints each count next
to the model's figure for the same traffic (its per-order footprint, its batch fill at the run's rate, the local
environment's templates). It exits 1 when a counted quantity the model prices differs by more than 10%.

Counted: bus events (the event store keeps each once) and order events; table write units, from the stream's before
and after images (devtools/cost/measured_writes.py); event-store write units, from the stored items; API
destination calls (the Momento stand-in's log); workflow executions, their states and Lambda tasks (Step Functions'
histories); records per batch of the stream pipe and messages per batch of the intake pipe (the pipes runner's log).
Not counted, and said so: what MiniStack's own SQS event source does (the event store's invocations and receives),
and reads.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import secrets
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devtools.cost.deployed_settings import RegionSettings, read_settings
from devtools.cost.inputs import SECONDS_PER_MONTH, Traffic, order_footprint, records_per_batch
from devtools.cost.item_sizes import WRITE_UNIT_BYTES, item_bytes
from devtools.cost.measured_writes import measured_write
from devtools.synth import synthesized_templates_by_region
from lambdas.shared.catalogue import customer_item, product_item
from lambdas.shared.orders import SETTLED_STATUSES
from local_cloud.settings import CACHE_REQUESTS_FILE, DEFAULT_PORT, LOCAL_DIR, LOCAL_ENV, LocalCloud
from ops.deployed_app import DeployedApp
from stacks.names import Output

TOLERANCE = 0.10
PRICE_MINOR = 4500


@dataclass
class Run:
    run_id: str
    high_value_minor: int
    sent: dict[str, str] = field(default_factory=dict)  # order id -> outcome it was built for
    started: float = 0.0
    seconds_sending: float = 0.0

    def id(self, suffix: str) -> str:
        return f"{self.run_id}-{suffix}"

    def order(self, number: int, outcome: str) -> dict[str, Any]:
        lines = {"shipped": [("pa", 1, PRICE_MINOR), ("pb", 1, PRICE_MINOR)],
                 "high_value": [("pa", 1, self.high_value_minor + 1), ("pb", 1, PRICE_MINOR)],
                 "backordered": [("pa", 1, PRICE_MINOR), ("pzero", 1, PRICE_MINOR)],
                 "invalid": [("pa", 1, PRICE_MINOR), ("nope", 1, PRICE_MINOR)],
                 "rejected": [("pa", 0, PRICE_MINOR), ("pb", 1, PRICE_MINOR)]}[outcome]  # fmt: skip
        items = [{"sku": self.id(sku), "quantity": q, "unitPriceMinor": p} for sku, q, p in lines]
        return {"orderId": self.id(f"o{number}"), "customerId": self.id("customer"), "currency": "EUR",
                "correlationId": self.id(f"o{number}-corr"), "lineItems": items}  # fmt: skip


def outcomes(orders: int, traffic: Traffic) -> list[str]:
    """The default mix for `orders` orders, spread through the run."""
    counts = {"rejected": traffic.share_rejected_at_intake, "invalid": traffic.share_invalid,
              "backordered": traffic.share_backordered, "high_value": traffic.share_high_value}  # fmt: skip
    mix = [name for name, share in counts.items() for _ in range(round(orders * share))]
    mix += ["shipped"] * (orders - len(mix))
    step = max(1, orders // max(1, len(mix) - mix.count("shipped")))
    shipped = [m for m in mix if m == "shipped"]
    others = [m for m in mix if m != "shipped"]
    spread: list[str] = []
    for position in range(orders):
        spread.append(others.pop() if others and position % step == step // 2 else shipped.pop() if shipped
                      else others.pop())  # fmt: skip
    return spread


class CountedRun:
    def __init__(self, cloud: LocalCloud, orders: int, rate: float) -> None:
        self.cloud = cloud
        self.orders, self.rate = orders, rate
        app = DeployedApp.find(cloud.client, LOCAL_ENV)
        self.app = app
        self.dynamodb, self.sqs = cloud.client("dynamodb"), cloud.client("sqs")
        self.table = app[Output.TABLE_NAME]
        self.config_threshold = 100_000
        self.run = Run(f"cost-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(2)}", self.config_threshold)
        self.stored: list[dict[str, Any]] = []

    def send(self, traffic: Traffic) -> None:
        seed = [customer_item(self.run.id("customer"), "Cost Check", f"{self.run.id('customer')}@example.com")]
        seed += [product_item(self.run.id(sku), stock, PRICE_MINOR) for sku, stock in (("pa", 10**6), ("pb", 10**6),
                                                                                          ("pzero", 0))]  # fmt: skip
        for item in seed:
            self.dynamodb.put_item(TableName=self.table, Item=item)
        time.sleep(3)  # the seed's own events pass first
        self.run.started = time.time()
        queue = self.app[Output.INTAKE_QUEUE_URL]
        for number, outcome in enumerate(outcomes(self.orders, traffic)):
            order = self.run.order(number, outcome)
            self.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(order))
            self.run.sent[order["orderId"]] = outcome
            time.sleep(max(0.0, self.run.started + (number + 1) / self.rate - time.time()))
            if number % 50 == 49:
                print(f"  sent {number + 1} of {self.orders}", flush=True)
        self.run.seconds_sending = time.time() - self.run.started

    def wait_settled(self, timeout: float) -> list[str]:
        accepted = [o for o, outcome in self.run.sent.items() if outcome != "rejected"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = self._statuses(accepted)
            open_orders = [o for o in accepted if statuses.get(o) not in SETTLED_STATUSES]
            print(f"  {len(accepted) - len(open_orders)} of {len(accepted)} accepted orders settled", flush=True)
            if not open_orders:
                return accepted
            time.sleep(5)
        raise SystemExit(
            f"cost check: {len(open_orders)} orders still open after {timeout:.0f} s, e.g. {open_orders[:3]}"
        )

    def _statuses(self, order_ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(order_ids), 100):
            keys = [{"pk": {"S": f"ORDER#{o}"}, "sk": {"S": f"ORDER#{o}"}} for o in order_ids[start : start + 100]]
            request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self.dynamodb.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table, []):
                    found[item["orderId"]["S"]] = item["status"]["S"]
                request = response.get("UnprocessedKeys") or {}
        return found

    # --- counting -------------------------------------------------------------------------------------------------
    def stream_writes(self, accepted: int) -> list[tuple[float, dict[str, Any]]]:
        """Every stream record of the run's items since it began, measured; weighted per accepted order."""
        streams = self.cloud.client("dynamodbstreams")
        stream_arn = self.dynamodb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        table_arn = stream_arn.split("/stream/")[0]
        found = []
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]  # fmt: skip
            while iterator and (page := streams.get_records(ShardIterator=iterator, Limit=1000))["Records"]:
                found += page["Records"]
                iterator = page.get("NextShardIterator")
        writes = []
        for raw in found:
            record = json.loads(json.dumps(raw, default=_json_time))
            key = record["dynamodb"]["Keys"]["pk"]["S"]
            if self.run.run_id not in key or record["dynamodb"]["ApproximateCreationDateTime"] < self.run.started - 1:
                continue
            measured = measured_write(record, transactional=_transactional(record), table_arn=table_arn)
            writes.append((1 / accepted, measured))
        return writes

    def stored_events(self) -> list[dict[str, Any]]:
        store = self.app[Output.EVENT_STORE_TABLE_NAME]
        aggregates = [f"{entity}#{order}" for order in self.run.sent for entity in ("Order", "Shipment")]
        aggregates += [f"Product#{self.run.id(sku)}" for sku in ("pa", "pb", "pzero")]
        items = []
        for aggregate in aggregates:
            request: dict[str, Any] = {"TableName": store, "KeyConditionExpression": "#a = :a",
                                       "ExpressionAttributeNames": {"#a": "aggregate"},
                                       "ExpressionAttributeValues": {":a": {"S": aggregate}}}  # fmt: skip
            while True:
                page = self.dynamodb.query(**request)
                items += [i for i in page["Items"] if int(i["occurredAt"]["N"]) >= (self.run.started - 1) * 1000]
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items

    def api_calls(self) -> int:
        calls = 0
        for line in CACHE_REQUESTS_FILE.read_text().splitlines() if CACHE_REQUESTS_FILE.exists() else []:
            entry = json.loads(line)
            body = json.loads(entry["body"]) if entry["body"].startswith("{") else {}
            order = entry["query"].get("key") or body.get("orderId")
            calls += entry["time"] >= self.run.started and entry["method"] != "GET" and order in self.run.sent
        return calls

    def executions(self) -> tuple[int, Counter[str]]:
        """(executions of the run's orders, states entered by name across them)."""
        stepfunctions = self.cloud.client("stepfunctions")
        machine = self.app[Output.STATE_MACHINE_ARN]
        runs, states = 0, Counter[str]()
        for page in stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=machine):
            for execution in page["executions"]:
                if execution["startDate"].timestamp() < self.run.started - 1:
                    continue
                described = stepfunctions.describe_execution(executionArn=execution["executionArn"])
                if self.run.run_id not in described.get("input", ""):
                    continue
                runs += 1
                history = stepfunctions.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)
                states.update(e["stateEnteredEventDetails"]["name"] for e in history["events"]
                              if "stateEnteredEventDetails" in e)  # fmt: skip
        return runs, states

    def batches(self) -> dict[str, list[int]]:
        """Records per batch of each pipe since the run began, from the pipes runner's log."""
        sizes: dict[str, list[int]] = {"stream": [], "intake": []}
        for line in (LOCAL_DIR / "pipes-runner.log").read_text().splitlines():
            match = re.match(r"(\S+ \S+),\d+ INFO (\w+): \w+: (\d+) (records|messages)", line)
            if (
                not match
                or datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() < self.run.started
            ):
                continue
            sizes["stream" if match[4] == "records" else "intake"].append(int(match[3]))
        return sizes


def _json_time(value: Any) -> Any:
    return value.timestamp() if hasattr(value, "timestamp") else str(value)


def _log_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def _transactional(record: dict[str, Any]) -> bool:
    """The workflow's transactions: the reservation (products, and the order -> RESERVED) and its release."""
    new = (record["dynamodb"].get("NewImage") or {}).get("status", {}).get("S")
    old = (record["dynamodb"].get("OldImage") or {}).get("status", {}).get("S")
    key = record["dynamodb"]["Keys"]["pk"]["S"]
    return bool(key.startswith("PRODUCT#") or new == "RESERVED" or (old == "RESERVED" and new == "FAILED"))


@dataclass(frozen=True)
class Compared:
    quantity: str
    counted: float
    modelled: float

    @property
    def difference(self) -> float:
        return abs(self.counted - self.modelled) / self.modelled if self.modelled else float(self.counted != 0)


def compare(check: CountedRun, settings: RegionSettings) -> list[Compared]:
    accepted = check.wait_settled(timeout=600)
    time.sleep(25)  # the event store's batching window and the last API calls
    rate = len(check.run.sent) / check.run.seconds_sending
    traffic = Traffic(orders_per_month=round(rate * SECONDS_PER_MONTH))
    per = order_footprint(traffic)
    writes = check.stream_writes(len(accepted))
    stored = check.stored = check.stored_events()
    runs, states = check.executions()
    batches = check.batches()
    projections = settings.orders_table.index_projections if settings.orders_table else {}
    counted = order_footprint_like(writes)
    events_per_second = rate * (1 - traffic.share_rejected_at_intake) * per.records
    return [
        Compared("bus events per accepted order", len(stored) / len(accepted), per.records),
        Compared("stream records per accepted order", len(writes) / len(accepted), per.records),
        Compared("table write units per accepted order (cancelled reservations apart)",
                 counted.table_write_units(projections), per.table_write_units(projections) - 2 * per.cancelled_writes),
        Compared("event-store write units per event",
                 sum(math.ceil(item_bytes(i) / WRITE_UNIT_BYTES) + len(settings.event_store_table.index_projections)
                     for i in stored) / max(1, len(stored)),
                 per.stored_event_write_units(list(settings.event_store_table.index_projections.values()))),
        Compared("API destination calls per accepted order", check.api_calls() / len(accepted), 2 * per.order_records),
        Compared("workflow executions per accepted order", runs / len(accepted), 1.0),
        Compared("states entered per execution", sum(states.values()) / max(1, runs), per.states),
        Compared("ProcessOrder calls per accepted order", states["ProcessOrder"] / len(accepted),
                 per.lambda_calls["process_order"]),
        Compared("ShipOrder calls per accepted order", states["ShipOrder"] / len(accepted),
                 per.lambda_calls["ship_order"]),
        Compared("stream records per enrichment batch", _mean(batches["stream"]),
                 records_per_batch(events_per_second, settings.stream.window_seconds, settings.stream.batch_size)),
        Compared("intake messages per batch", _mean(batches["intake"]),
                 records_per_batch(rate, settings.intake.window_seconds, settings.intake.batch_size)),
    ]  # fmt: skip


def order_footprint_like(writes: list[tuple[float, dict[str, Any]]]) -> Any:
    """The run's writes in the model's own shape, so both sides are priced by the same code."""
    base = order_footprint(Traffic())
    return type(base)(states=0, lambda_calls={}, records=sum(w for w, _ in writes), order_records=0, writes=writes,
                      cancelled_writes=0, event_bytes=0, stored_event_bytes=0, kept_bytes={}, kept_indexes={},
                      history_bytes=0, history_bytes_without_data=0)  # fmt: skip


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.cost_check", description=__doc__)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help="the emulator's port on 127.0.0.1 (LOCAL_PORT)")
    cli.add_argument("--orders", type=int, default=300)
    cli.add_argument("--rate", type=float, default=4.0, help="orders a second")
    args = cli.parse_args(argv)
    [(region, templates)] = synthesized_templates_by_region(LOCAL_ENV).items()
    settings = read_settings(region, templates)
    check = CountedRun(LocalCloud(args.port), args.orders, args.rate)
    print(f"cost check {check.run.run_id}: {args.orders} orders of the default mix at {args.rate:g}/s", flush=True)
    check.send(Traffic())
    results = compare(check, settings)
    print(f"\n{'quantity':72} {'counted':>9} {'model':>9} {'diff':>6}")
    for result in results:
        print(f"{result.quantity:72} {result.counted:9.3f} {result.modelled:9.3f} {result.difference:6.1%}")
    sizes = sorted(item_bytes(i) for i in check.stored)
    if sizes:
        print(f"\nstored events: {len(sizes)}, bytes min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]}, "
              f"{sum(s > WRITE_UNIT_BYTES for s in sizes) / len(sizes):.0%} over one write unit")  # fmt: skip
    wrong = [r for r in results if r.difference > TOLERANCE]
    print(f"\n{len(results) - len(wrong)} of {len(results)} within {TOLERANCE:.0%}" +
          (f"; off: {', '.join(r.quantity for r in wrong)}" if wrong else ""))  # fmt: skip
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
