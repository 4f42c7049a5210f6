"""The CLI end to end on moto: stack outputs resolved, readable tables and JSON printed, a filtered replay started."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.enrichment.envelope import envelope
from ops.event_store.cli import main
from ops.event_store.replay import start_replay
from tests.support.event_store import STORE_TABLE, StoreFeeder, create_store_table
from tests.support.events import bus_event, stream_record

REGION = "eu-west-1"


def stack_with_outputs(name: str, outputs: dict[str, str]) -> None:
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(StackName=name, TemplateBody=json.dumps(template))


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreFeeder]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        feeder = create_store_table(boto3.client("dynamodb", region_name=REGION), monkeypatch)
        stack_with_outputs("Orders-dev-EventStore", {"EventStoreTableName": STORE_TABLE})
        for name in ("order_insert", "order_modify", "customer_insert", "order_remove_by_user"):
            feeder.deliver(bus_event(envelope(stream_record(name))))
        yield feeder


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_aggregate_prints_a_readable_table(deployed: StoreFeeder) -> None:
    code, output = run("aggregate", "Order", "o-1001")
    print(output)
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == ["occurredAt", "detailType", "aggregate", "change", "eventId", "replay"]
    assert [line.split()[1] for line in lines[2:-1]] == ["OrderCreated", "OrderUpdated", "OrderDeleted"]
    assert lines[-1] == "(3 events)"


def test_json_output_is_the_raw_events(deployed: StoreFeeder) -> None:
    code, output = run("--json", "type", "CustomerCreated", "--from", "2025-11-22T00:00:00Z", "--to", "2025-11-23")
    assert code == 0
    [event] = json.loads(output)
    assert event["detail"]["metadata"]["entityId"] == "c-42"


def test_range_and_rebuilt_order(deployed: StoreFeeder) -> None:
    code, output = run("range", "--from", "2025-11-22T16:00:00Z", "--to", "2025-11-22T16:00:02Z")
    assert code == 0
    assert output.splitlines()[-1] == "(3 events)"  # the delete happened a minute later
    err = io.StringIO()
    assert main(["order", "o-1001"], out=io.StringIO(), err=err) == 1  # deleted: nothing to rebuild, and it says so
    assert err.getvalue().startswith("error: order o-1001 was deleted at 2025-11-22T16:01")


def test_an_orders_state_as_of_a_time_and_by_version(deployed: StoreFeeder) -> None:
    code, output = run("order", "o-1001", "--as-of", "2025-11-22T16:00:00Z")
    assert code == 0
    assert json.loads(output)["status"] == "PENDING"  # created; not yet the change a second later
    err = io.StringIO()
    assert main(["order", "o-1001", "--as-of", "2025-11-22T15:00:00Z"], out=io.StringIO(), err=err) == 1
    assert "did not exist yet at that point (its first event: OrderCreated at 2025-11-22T16:00:00Z)" in err.getvalue()
    err = io.StringIO()
    assert main(["order", "o-1001", "--version", "1"], out=io.StringIO(), err=err) == 1  # the fixtures predate versions
    assert "carry no version" in err.getvalue()
    err = io.StringIO()
    assert main(["order", "nope"], out=io.StringIO(), err=err) == 1
    assert err.getvalue() == "error: no events of order 'nope' in the event store\n"


def test_a_trace_prints_one_requests_events_in_order(deployed: StoreFeeder) -> None:
    code, output = run("trace", "req-7f3a", "--from", "2025-11-22T15:59:00Z")
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == "request req-7f3a: 3 events"
    assert [line.split()[1] for line in lines[1:]] == ["OrderCreated", "OrderUpdated", "OrderDeleted"]
    err = io.StringIO()
    assert main(["trace", "req-7f3a", "--from", "2025-11-23T00:00:00Z"], out=io.StringIO(), err=err) == 1
    assert "no event of request 'req-7f3a'" in err.getvalue()


def test_replay_targets_only_the_chosen_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        events = boto3.client("events", region_name=REGION)
        bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
        archive_arn = events.create_archive(ArchiveName="orders-archive", EventSourceArn=bus_arn)["ArchiveArn"]
        stack_with_outputs("Orders-dev-EventFabric", {"ArchiveArn": archive_arn, "EventBusArn": bus_arn})
        rule = "arn:aws:events:eu-west-1:123456789012:rule/orders/EventStoreRule"

        code, output = run(
            "replay", "--from", "2026-11-01", "--to", "2026-11-02", "--rule", rule, "--name", "rebuild-1"
        )

        assert code == 0
        assert json.loads(output)["replay"] == "rebuild-1"
        replay: Any = events.describe_replay(ReplayName="rebuild-1")
        assert replay["Destination"] == {"Arn": bus_arn, "FilterArns": [rule]}
        assert replay["EventSourceArn"] == archive_arn


def test_replay_without_a_rule_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["replay", "--from", "2026-11-01", "--to", "2026-11-02"])


def test_start_replay_refuses_an_unfiltered_or_empty_replay() -> None:
    day = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="name at least one rule"):
        start_replay(None, name="r", archive_arn="a", bus_arn="b", rule_arns=[], start=day, end=day.replace(day=2))
    with pytest.raises(ValueError, match="the window is empty"):
        start_replay(None, name="r", archive_arn="a", bus_arn="b", rule_arns=["r"], start=day, end=day)
