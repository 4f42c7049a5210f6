"""ops.dlq against moto: every DLQ listed and decoded, each kind redriven to where it belongs, nothing lost.

moto's EventBridge has no TestEventPattern and its Lambda runs nothing without Docker, so those two calls go to
moto's pattern engine and to the real enrichment handler (tests/support/fake_aws.py); everything else is moto.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambdas.enrichment.handler import handler as enrichment_handler
from local_cloud.pipes.definition import PipeDefinition
from local_cloud.pipes.sources import StreamBatch
from local_cloud.pipes.workers import stream_batch_pointer
from ops import aws
from ops.dlq import cli
from ops.dlq.stream_records import as_pipes_record
from tests.support.events import matches
from tests.support.fake_aws import FakeLambda
from tests.support.lambda_context import FakeLambdaContext
from tests.support.seed import customer_item, order_item
from tests.support.stream_pipe import the_apps_stream_pipe_parameters
from tests.support.synth import synthesize
from tests.support.workflow_harness import create_table_from_template

REGION = "eu-west-1"
ENRICHMENT = "arn:aws:lambda:eu-west-1:123456789012:function:enrichment"


class PatternsByMoto:
    """moto's events client, with TestEventPattern answered by moto's own pattern engine."""

    def __init__(self, events: Any) -> None:
        self._events = events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)

    def test_event_pattern(self, EventPattern: str, Event: str) -> dict[str, bool]:
        return {"Result": matches(EventPattern, json.loads(Event))}


@dataclass
class World:
    sqs: Any
    events: Any
    urls: dict[str, str]
    arns: dict[str, str]
    state_machine: str
    table: Any = None
    stream_arn: str = ""
    client: Any = None  # the client factory the CLI is given

    def send(self, queue: str, body: Any, attributes: dict[str, str] | None = None) -> None:
        self.sqs.send_message(
            QueueUrl=self.urls[queue],
            MessageBody=body if isinstance(body, str) else json.dumps(body),
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()},
        )

    def bodies(self, queue: str) -> list[str]:
        found = []
        while messages := self.sqs.receive_message(QueueUrl=self.urls[queue], MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                found.append(message["Body"])
                self.sqs.delete_message(QueueUrl=self.urls[queue], ReceiptHandle=message["ReceiptHandle"])
        return found

    def count(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.urls[queue], AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        urls, arns = {}, {}
        for name in ("intake", "intake-dlq", "rule-dlq", "pipe-dlq", "rejected", "buffer", "published"):
            urls[name], arns[name] = queue(sqs, name)
        bus = events.create_event_bus(Name="orders")["EventBusArn"]
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="workflow",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        arns["to-buffer"] = events.put_rule(
            Name="to-buffer", EventBusName="orders", EventPattern=json.dumps({"source": ["orders.table"]})
        )["RuleArn"]
        events.put_targets(Rule="to-buffer", EventBusName="orders", Targets=[{"Id": "Buffer", "Arn": arns["buffer"]}])
        # moto delivers no event to a Step Functions target, so this rule matches nothing put here.
        arns["to-workflow"] = events.put_rule(
            Name="to-workflow", EventBusName="orders", EventPattern=json.dumps({"source": ["never.put.here"]})
        )["RuleArn"]
        events.put_targets(
            Rule="to-workflow",
            EventBusName="orders",
            Targets=[{"Id": "Workflow", "Arn": machine, "InputPath": "$.detail"}],
        )
        events.put_rule(Name="catch-all", EventBusName="orders", EventPattern=json.dumps({"source": ["orders.table"]}))
        events.put_targets(Rule="catch-all", EventBusName="orders", Targets=[{"Id": "P", "Arn": arns["published"]}])
        table = boto3.client("dynamodb", region_name=REGION)
        create_table_from_template(table, synthesize("dev").template("Data"), "orders", stream=True)
        stream_arn = table.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
        pipe = boto3.client("pipes", region_name=REGION).create_pipe(
            Name="stream-pipe",
            RoleArn="arn:aws:iam::123456789012:role/pipe",
            Source=stream_arn,
            Target=bus,
            Enrichment=ENRICHMENT,
            **the_apps_stream_pipe_parameters(table_arn=stream_arn.split("/stream/")[0]),
        )["Arn"]
        entries = [
            {
                "name": "Intake/DeadLetterQueue",
                "kind": "queue",
                "source": arns["intake"],
                **_where(urls, arns, "intake-dlq"),
            },
            {
                "name": "RuleDeadLetterQueue",
                "kind": "rule-target",
                "source": arns["to-buffer"],
                **_where(urls, arns, "rule-dlq"),
            },
            {
                "name": "StreamPipe/DeadLetterQueue",
                "kind": "stream-pipe",
                "source": pipe,
                **_where(urls, arns, "pipe-dlq"),
            },
            {
                "name": "Intake/RejectedQueue",
                "kind": "rejected",
                "source": arns["intake"],
                **_where(urls, arns, "rejected"),
            },
        ]
        template = {
            "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"DeadLetterQueues": {"Value": json.dumps(entries)}},
        }
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="Orders-dev-Workflows", TemplateBody=json.dumps(template)
        )
        functions = FakeLambda({ENRICHMENT: lambda batch: enrichment_handler(batch, FakeLambdaContext())})

        def client(service: str) -> Any:
            if service == "lambda":
                return functions
            if service == "dynamodbstreams":
                return streams_client()
            made = boto3.client(service, region_name=REGION)
            return PatternsByMoto(made) if service == "events" else made

        monkeypatch.setattr(cli, "client_factory", lambda config: client)
        yield World(sqs, events, urls, arns, machine, table, stream_arn, client)


def streams_client() -> Any:
    """moto matches only the streams URL with a trailing slash, which this botocore no longer sends by itself."""
    return boto3.client(
        "dynamodbstreams", region_name=REGION, endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com/"
    )


def _where(urls: dict[str, str], arns: dict[str, str], name: str) -> dict[str, str]:
    return {"url": urls[name], "arn": arns[name]}


def run(*argv: str, answer: str = "n") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err, ask=lambda prompt: answer)
    return code, out.getvalue(), err.getvalue()


def bus_event(detail_type: str, order_id: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"evt-{order_id}",
        "source": "orders.table",
        "detail-type": detail_type,
        "account": "123456789012",
        "time": "2026-11-22T10:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {"metadata": {"entityId": order_id}, "data": {"orderId": order_id}},
    }


def failed_delivery(world: World, rule: str, target: str) -> dict[str, str]:
    return {
        "RULE_ARN": world.arns[rule],
        "TARGET_ARN": target,
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "ERROR_MESSAGE": "throttled",
    }


def test_list_shows_every_dlq_with_its_depth_and_where_it_goes_back(world: World) -> None:
    world.send("intake-dlq", {"orderId": "o-1"})
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    code, out, _ = run("list")
    print(out)
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:]}
    assert rows["Workflows/Intake/DeadLetterQueue"][1:3] == ["queue", "1"]
    assert rows["Workflows/RuleDeadLetterQueue"][1:3] == ["rule-target", "1"]
    assert rows["Workflows/StreamPipe/DeadLetterQueue"][1:3] == ["stream-pipe", "0"]
    assert "queue intake" in out


def test_show_decodes_the_event_and_the_error_eventbridge_added(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    _, out, _ = run("show", "RuleDeadLetter")
    print(out)
    [shown] = json.loads(out[: out.rindex("]") + 1])
    assert shown["error"]["ERROR_CODE"] == "SDK_CLIENT_ERROR"
    assert shown["error"]["RULE_ARN"].endswith("rule/orders/to-buffer")
    assert shown["message"]["detail-type"] == "OrderCreated"
    assert world.count("rule-dlq") == 1  # show changes nothing


def test_a_queue_dlq_goes_back_to_its_queue(world: World) -> None:
    for n in range(3):
        world.send("intake-dlq", {"orderId": f"o-{n}"})
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", "--yes")
    assert code == 0, out
    assert "moved 3, skipped 0, failed 0" in out
    assert sorted(json.loads(body)["orderId"] for body in world.bodies("intake")) == ["o-0", "o-1", "o-2"]
    assert world.count("intake-dlq") == 0


class SqsWithMoveTasks:
    """moto's SQS plus the message move task it lacks, done as SQS documents it: every message of the source queue
    moved to the destination; the task is then listed COMPLETED with its counts."""

    def __init__(self, sqs: Any, urls_by_arn: dict[str, str]) -> None:
        self._sqs = sqs
        self._urls = urls_by_arn
        self.tasks: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)

    def start_message_move_task(self, SourceArn: str, DestinationArn: str) -> dict[str, str]:
        source, destination, moved = self._urls[SourceArn], self._urls[DestinationArn], 0
        while messages := self._sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                self._sqs.send_message(QueueUrl=destination, MessageBody=message["Body"])
                self._sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        handle = f"task-{len(self.tasks)}"
        self.tasks.append(
            {"TaskHandle": handle, "Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": moved,
             "ApproximateNumberOfMessagesToMove": moved}
        )  # fmt: skip
        return {"TaskHandle": handle}

    def list_message_move_tasks(self, SourceArn: str) -> dict[str, Any]:
        return {"Results": list(reversed(self.tasks))}


@pytest.mark.parametrize(("limit", "by_task"), [("1000", True), ("2", False)])
def test_a_queue_dlq_moves_by_a_move_task_unless_it_holds_more_than_max(
    world: World, monkeypatch: pytest.MonkeyPatch, limit: str, by_task: bool
) -> None:
    for n in range(3):
        world.send("intake-dlq", {"orderId": f"o-{n}"})
    sqs = SqsWithMoveTasks(world.sqs, {world.arns[name]: url for name, url in world.urls.items()})
    monkeypatch.setattr(cli, "client_factory", lambda config: lambda s: sqs if s == "sqs" else world.client(s))
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", "--yes", "--max", limit)
    assert code == 0, out
    assert len(sqs.tasks) == (1 if by_task else 0)
    assert f"moved {3 if by_task else 2}, skipped 0, failed 0" in out
    assert world.count("intake-dlq") == (0 if by_task else 1)
    assert len(world.bodies("intake")) == (3 if by_task else 2)


def test_a_rule_target_dlq_goes_to_that_target_only(world: World) -> None:
    created = bus_event("OrderCreated", "o-7")
    world.send("rule-dlq", created, failed_delivery(world, "to-workflow", world.state_machine))
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    assert code == 0, out
    [execution] = boto3.client("stepfunctions", region_name=REGION).list_executions(
        stateMachineArn=world.state_machine
    )["executions"]
    described = boto3.client("stepfunctions", region_name=REGION).describe_execution(
        executionArn=execution["executionArn"]
    )
    assert json.loads(described["input"]) == created["detail"]  # the target's InputPath applied
    assert world.bodies("buffer") == []  # not put on the bus again: the buffer's rule saw nothing
    assert world.bodies("published") == []


@pytest.mark.parametrize("dlq", ["Intake/DeadLetterQueue", "RuleDeadLetterQueue", "StreamPipe/DeadLetterQueue"])
def test_a_dry_run_changes_nothing(world: World, dlq: str) -> None:
    queue_name = {"Intake/DeadLetterQueue": "intake-dlq", "RuleDeadLetterQueue": "rule-dlq"}.get(dlq, "pipe-dlq")
    world.send(queue_name, bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    code, out, _ = run("redrive", dlq, "--dry-run")
    assert code == 0
    assert "would move 1" in out
    assert world.count(queue_name) == 1
    assert world.bodies("buffer") == world.bodies("intake") == world.bodies("published") == []


def test_a_partly_failed_redrive_loses_nothing(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.send("rule-dlq", bus_event("OrderCreated", "o-2"), failed_delivery(world, "to-buffer", "arn:aws:sqs:gone"))
    world.send("rule-dlq", bus_event("OrderCreated", "o-3"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.sqs.delete_queue(QueueUrl=world.urls["buffer"])
    world.urls["buffer"], world.arns["buffer"] = queue(world.sqs, "buffer")  # the target is back; o-2's never was
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    print(out)
    assert code == 0
    assert "moved 2, skipped 1, failed 0" in out
    assert sorted(json.loads(b)["detail"]["metadata"]["entityId"] for b in world.bodies("buffer")) == ["o-1", "o-3"]
    [kept] = world.bodies("rule-dlq")
    assert json.loads(kept)["detail"]["metadata"]["entityId"] == "o-2"


def test_a_failed_delivery_keeps_the_message(world: World) -> None:
    world.send("rule-dlq", bus_event("OrderCreated", "o-1"), failed_delivery(world, "to-buffer", world.arns["buffer"]))
    world.sqs.delete_queue(QueueUrl=world.urls["buffer"])
    code, out, _ = run("redrive", "RuleDeadLetterQueue", "--yes")
    assert code == 1
    assert "moved 0, skipped 0, failed 1" in out
    assert world.count("rule-dlq") == 1


def test_a_stream_pointer_is_read_back_and_published_through_the_pipe(world: World) -> None:
    world.table.put_item(TableName="orders", Item=customer_item("c-1"))
    world.table.put_item(TableName="orders", Item=order_item("o-9", "c-1", [("p-1", 1, 100)]))
    world.table.put_item(TableName="orders", Item={"pk": {"S": "NOTE#1"}, "sk": {"S": "NOTE#1"}})  # filtered out
    pointer = _pointer_over_the_stream(world)
    world.send("pipe-dlq", pointer)
    code, out, _ = run("show", "StreamPipe")
    assert json.loads(out[: out.rindex("]") + 1])[0]["streamBatch"]["records"] == 3
    code, out, _ = run("redrive", "StreamPipe", "--yes")
    assert code == 0, out
    assert "published 2 events from 3 records" in out
    published = [json.loads(body) for body in world.bodies("published")]
    assert sorted(event["detail-type"] for event in published) == ["CustomerCreated", "OrderCreated"]
    assert world.count("pipe-dlq") == 0


class TrimmedStream:
    """A stream past its 24 hours: AWS answers a position it no longer holds with TrimmedDataAccessException (moto
    asserts instead, so this one call is faked)."""

    exceptions = boto3.client("dynamodbstreams", region_name=REGION).exceptions

    def get_shard_iterator(self, **_: Any) -> Any:
        error = {"Code": "TrimmedDataAccessException", "Message": "trimmed"}
        raise ClientError({"Error": error}, "GetShardIterator")


def test_a_pointer_the_stream_no_longer_holds_is_named_and_kept(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    pointer = _pointer_over_the_stream(world, first="00000000000000000000099", last="00000000000000000000100")
    world.send("pipe-dlq", pointer)
    client = aws.client_factory(synthesize("dev").config)
    monkeypatch.setattr(
        cli, "client_factory", lambda config: lambda s: TrimmedStream() if s == "dynamodbstreams" else client(s)
    )
    code, out, _ = run("redrive", "StreamPipe", "--yes")
    assert code == 1
    assert "the stream no longer holds sequence numbers 00000000000000000000099..00000000000000000000100" in out
    assert world.count("pipe-dlq") == 1


def test_rejected_messages_are_never_redriven(world: World) -> None:
    code, _, err = run("redrive", "RejectedQueue", "--yes")
    assert code == 1
    assert "need the producer to fix and resend them" in err


def test_saying_no_changes_nothing(world: World) -> None:
    world.send("intake-dlq", {"orderId": "o-1"})
    code, out, _ = run("redrive", "Intake/DeadLetterQueue", answer="n")
    assert (code, out.strip()) == (1, "nothing changed")
    assert world.count("intake-dlq") == 1


def _pointer_over_the_stream(world: World, first: str | None = None, last: str | None = None) -> dict[str, Any]:
    streams = streams_client()
    [shard] = streams.describe_stream(StreamArn=world.stream_arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=world.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = [as_pipes_record(r, world.stream_arn) for r in streams.get_records(ShardIterator=iterator)["Records"]]
    if first is not None:
        template = records[0] if records else {"dynamodb": {"ApproximateCreationDateTime": 1}}
        records = [
            {**template, "dynamodb": {**template["dynamodb"], "SequenceNumber": sequence}} for sequence in (first, last)
        ]
    definition = PipeDefinition(
        stack="s",
        logical_id="StreamPipe",
        name="stream-pipe",
        source_arn=world.stream_arn,
        source={},
        filters=[],
        enrichment_arn=ENRICHMENT,
        enrichment_template=None,
        target_arn="bus",
        target_template=None,
        target_parameters={},
        role_arn="",
    )
    return stream_batch_pointer(definition, StreamBatch(shard["ShardId"], records), "RetryAttemptsExhausted", 4, "x")


class PipesThatKeepOnlySourceAndTarget:
    """An endpoint whose DescribePipe answers like MiniStack 1.5.33's: no source, enrichment or target parameters."""

    def describe_pipe(self, Name: str) -> dict[str, Any]:
        return {"Name": Name, "Source": "arn:aws:dynamodb:::table/t/stream/1", "Target": "arn:aws:events:::bus/b"}


def test_a_pipe_described_without_its_parameters_is_refused_before_anything_moves(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.table.put_item(TableName="orders", Item=customer_item("c-1"))
    world.send("pipe-dlq", _pointer_over_the_stream(world))
    partial = PipesThatKeepOnlySourceAndTarget()
    monkeypatch.setattr(cli, "client_factory", lambda config: lambda s: partial if s == "pipes" else world.client(s))
    code, _, err = run("redrive", "StreamPipe", "--yes")
    assert code == 1
    assert err.strip() == (
        "error: DescribePipe stream-pipe returned no SourceParameters.DynamoDBStreamParameters and no "
        "TargetParameters.EventBridgeEventBusParameters: this endpoint does not describe the pipe fully, so its "
        "records cannot be published as the pipe would; nothing was changed"
    )
    assert world.count("pipe-dlq") == 1
