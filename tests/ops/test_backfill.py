"""ops.backfill: each item becomes the event the enrichment would publish for it, marked as a backfill and the same
for the same state; a backfill goes page by page at its rate, saves its position, and an interrupted one goes on
from there without delivering anything twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.entities import ORDER
from ops.aws import OperatorError
from ops.backfill import run as backfill_run
from ops.backfill.cli import consumer_of
from ops.backfill.events import backfill_event
from ops.backfill.run import Backfill, Progress
from ops.dlq.catalog import DeadLetterQueueInfo
from tests.support.seed import order_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import REGION, TABLE_NAME, create_table_from_template

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WHERE = {"region": REGION, "account": "123456789012", "table_arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/t"}


def test_an_item_becomes_its_created_event_marked_as_a_backfill_and_the_same_state_the_same_event() -> None:
    item = order_item("o-1", "c-1", [("p-1", 1, 100)]) | {"version": {"N": "3"}}
    snapshot = CustomerSnapshot(customer_id="c-1", name="Ada Lovelace", email="ada@example.com")
    item["customer"] = {"M": {"customerId": {"S": "c-1"}, "name": {"S": snapshot.name}, "email": {"S": snapshot.email}}}
    event = backfill_event(item, now=NOW, **WHERE)
    metadata = event["detail"]["metadata"]
    assert (event["detail-type"], metadata["change"], metadata["backfilled"]) == ("OrderCreated", "INSERT",
                                                                                   "2026-12-07T12:00:00Z")  # fmt: skip
    assert metadata["version"] == 3
    assert "Ada" not in str(event)  # the enrichment's own envelope: personal fields withheld
    assert (
        backfill_event(item, now=datetime(2027, 1, 1, tzinfo=UTC), **WHERE)["detail"]["metadata"]["eventId"]
        == (metadata["eventId"])
    )  # the same state, backfilled again: the same event, which the store keeps once
    changed = item | {"version": {"N": "4"}}
    assert backfill_event(changed, now=NOW, **WHERE)["detail"]["metadata"]["eventId"] != metadata["eventId"]


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table_from_template(dynamodb, synthesize("dev").template("Data"))
        for number in range(25):
            dynamodb.put_item(TableName=TABLE_NAME, Item=order_item(f"o-{number:02}", "c-1", [("p-1", 1, 100)]))
        yield dynamodb


class Interrupted(BaseException):
    """The process dies (a signal, a lost session): nothing the backfill catches."""


def test_an_interrupted_backfill_goes_on_from_its_saved_position(
    table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backfill_run, "PAGE_SIZE", 10)
    state, delivered = tmp_path / "state.json", list[str]()

    def deliver_until_the_fifteenth(item: dict[str, Any]) -> str:
        if len(delivered) == 15:
            raise Interrupted  # the process dies mid-page: that page was not saved
        delivered.append(item["pk"]["S"])
        return "ok"

    progress = Progress.load(state, "EventStore/Rule", "Order", None)
    with pytest.raises(Interrupted):
        Backfill(table, TABLE_NAME, ORDER, None, 1000, deliver_until_the_fifteenth).run(
            progress, lambda p: p.save(state), lambda _: None
        )
    saved = Progress.load(state, "EventStore/Rule", "Order", None)
    assert (saved.read, saved.delivered, saved.finished) == (10, 10, False)  # the first page, saved

    def deliver(item: dict[str, Any]) -> str:
        delivered.append(item["pk"]["S"])
        return "ok"

    done = Backfill(table, TABLE_NAME, ORDER, None, 1000, deliver).run(saved, lambda p: p.save(state), lambda _: None)
    assert (done.read, done.delivered, done.finished) == (25, 25, True)
    assert len(set(delivered)) == 25  # every order; the five of the unsaved page twice, the rest once
    assert len(delivered) == 30
    with pytest.raises(ValueError, match="belongs to a backfill of Order to EventStore/Rule"):
        Progress.load(state, "CacheIntegration/OrderCacheSyncRule", "Order", None)


def test_since_skips_what_did_not_change_after_it(table: Any) -> None:
    read, wanted = Backfill(table, TABLE_NAME, ORDER, "2030-01-01T00:00:00Z", 10, lambda _: "").count()
    assert (read, wanted) == (25, 0)


def queue(label: str, kind: str) -> DeadLetterQueueInfo:
    stack, name = label.split("/", 1)
    return DeadLetterQueueInfo(f"Orders-dev-{stack}", name, kind, "url", "arn", f"arn:aws:events:::rule/bus/{name}")


def test_a_consumer_is_a_rules_target_named_as_its_dlq_is() -> None:
    queues = [
        queue("EventStore/RuleDeadLetterQueue", "rule-target"),
        queue("EventStore/BufferDeadLetterQueue", "queue"),
        queue("CacheIntegration/OrderCacheSyncRuleDeadLetterQueue", "rule-target"),
    ]
    assert consumer_of(queues, "EventStore")[0] == "EventStore/Rule"  # the buffer's DLQ is no rule's
    assert consumer_of(queues, "cachesync")[0] == "CacheIntegration/OrderCacheSyncRule"
    with pytest.raises(
        OperatorError, match="no consumer matches 'Nope'; they are: CacheIntegration/OrderCacheSyncRule"
    ):
        consumer_of(queues, "Nope")
