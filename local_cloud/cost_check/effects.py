"""What the counted run's orders caused, read where the local cloud leaves it: the table's stream, the event store,
the Momento stand-in's request log, Step Functions' histories and the pipes runner's log."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from devtools.cost.measured_writes import measured_write
from local_cloud.cost_check.counted_run import PRODUCTS, Run
from local_cloud.settings import CACHE_REQUESTS_FILE, LOCAL_DIR, LocalCloud
from ops.deployed_app import DeployedApp
from stacks.names import Output

BATCH_LINE = re.compile(r"(\S+ \S+),\d+ INFO \w+: \w+: (\d+) (records|messages)")


class RunEffects:
    def __init__(self, cloud: LocalCloud, app: DeployedApp, run: Run) -> None:
        self.cloud, self.app, self.run = cloud, app, run
        self.dynamodb = cloud.client("dynamodb")

    def stream_writes(self) -> list[tuple[float, dict[str, Any]]]:
        """Every stream record of the run's items since it began, measured; weighted per accepted order."""
        streams = self.cloud.client("dynamodbstreams")
        table = self.app[Output.TABLE_NAME]
        stream_arn = self.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        found = []
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]  # fmt: skip
            while iterator and (page := streams.get_records(ShardIterator=iterator, Limit=1000))["Records"]:
                found += page["Records"]
                iterator = page.get("NextShardIterator")
        weight, table_arn = 1 / len(self.run.accepted), stream_arn.split("/stream/")[0]
        writes = []
        for raw in found:
            record = json.loads(json.dumps(raw, default=_json_time))
            key = record["dynamodb"]["Keys"]["pk"]["S"]
            if self.run.owns(key) and record["dynamodb"]["ApproximateCreationDateTime"] >= self.run.started - 1:
                table_arn = stream_arn.split("/stream/")[0]
                writes.append(
                    (weight, measured_write(record, transactional=_transactional(record), table_arn=table_arn))
                )
        return writes

    def stored_events(self) -> list[dict[str, Any]]:
        """The event store's items of the run's orders, shipments and products since it began."""
        store = self.app[Output.EVENT_STORE_TABLE_NAME]
        aggregates = [f"{entity}#{order}" for order in self.run.sent for entity in ("Order",)]
        aggregates += [f"Product#{self.run.sku(name)}" for name in PRODUCTS]
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
        """The topic publishes about the run's orders: the one API destination (the cache sync's requests are the
        function's own, which EventBridge does not bill)."""
        calls = 0
        for line in CACHE_REQUESTS_FILE.read_text().splitlines() if CACHE_REQUESTS_FILE.exists() else []:
            entry = json.loads(line)
            body = json.loads(entry["body"]) if entry["body"].startswith("{") else {}
            published = entry["method"] == "POST" and entry["path"].startswith("/topics/")
            calls += entry["time"] >= self.run.started and published and body.get("orderId") in self.run.sent
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
            match = BATCH_LINE.match(line)
            if match and _log_time(match[1]) >= self.run.started:
                sizes["stream" if match[3] == "records" else "intake"].append(int(match[2]))
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
