"""The local Pipes runner: pipe definitions read from the synthesized templates, and a pipe's failure handling
(bisect, retries, the DLQ pointer; partial batch failures and filtering of a queue source) against fakes."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from devtools.cost.item_sizes import item_bytes
from devtools.fake_aws import FakeCloud, FakeEvents, FakeLambda, FakeSqs
from lambdas.enrichment.envelope import RejectedRecordError, envelope
from local_cloud.pipes import workers
from local_cloud.pipes.definition import PipeDefinition, as_description, load_pipe, unsupported
from local_cloud.pipes.sources import QueueBatch, StreamBatch, sized_record
from local_cloud.pipes.workers import QueuePipeWorker, StreamPipeWorker
from stacks.names import Component
from tests.support.events import matches, stream_record
from tests.support.pipes_input import sqs_record
from tests.support.synth import synthesize
from tests.support.templates import resource_at

STREAM_ARN = "arn:aws:dynamodb:eu-west-1:000000000000:table/orders/stream/2026-11-23T00:00:00.000"


SERVICES = {"AWS::Lambda::Function": "lambda", "AWS::SQS::Queue": "sqs", "AWS::Events::EventBus": "events",
            "AWS::IAM::Role": "iam"}  # fmt: skip


class ResolvedAsPlaceholders:
    """Stands for DeployedStacks: every reference becomes `<logical id>` (or `<output name>`)."""

    def physical_id(self, stack: str, logical_id: str) -> str:
        return f"{logical_id}-physical"

    def resolve(self, stack: str, template: dict[str, Any], node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(stack, template, item) for item in node]
        if not isinstance(node, dict):
            return node
        if "Fn::GetAtt" in node:
            logical_id = node["Fn::GetAtt"][0]
            service = SERVICES[template["Resources"][logical_id]["Type"]]
            return f"arn:aws:{service}:eu-west-1:000000000000:{logical_id}"
        if "Fn::GetStackOutput" in node:
            return STREAM_ARN if "Stream" in node["Fn::GetStackOutput"]["OutputName"] else "arn:aws:dynamodb:table"
        return {key: self.resolve(stack, template, value) for key, value in node.items()}


def pipe(component: Component, path: str) -> PipeDefinition:
    app = synthesize("local")
    template = app.template(component)
    logical_id, _ = resource_at(template, path)
    return load_pipe(ResolvedAsPlaceholders(), f"Orders-local-{component}", logical_id, template)  # type: ignore[arg-type]


def test_the_stream_pipe_as_the_runner_reads_it() -> None:
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    assert definition.is_stream
    assert definition.unsupported == []
    assert definition.source["OnPartialBatchItemFailure"] == "AUTOMATIC_BISECT"
    assert definition.source["MaximumRetryAttempts"] == synthesize("local").config.stream_pipe.maximum_retry_attempts
    assert len(definition.filters) == 2
    assert "Enrichment" in str(definition.enrichment_arn)
    assert definition.target_parameters["EventBridgeEventBusParameters"]["DetailType"] == "$.metadata.detailType"
    assert definition.dead_letter_arn is not None


def test_the_stream_pipe_described_as_describe_pipe_would_for_the_local_redrive() -> None:
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    described = as_description(definition)
    _, resource = resource_at(synthesize("local").template(Component.EVENT_FABRIC), "StreamPipe/Pipe")
    in_template = resource["Properties"]
    assert described["Arn"] == f"arn:aws:pipes:eu-west-1:000000000000:pipe/{definition.name}"
    assert described["Enrichment"] == definition.enrichment_arn
    assert described["SourceParameters"]["FilterCriteria"] == in_template["SourceParameters"]["FilterCriteria"]
    assert set(described["SourceParameters"]["DynamoDBStreamParameters"]) == set(
        in_template["SourceParameters"]["DynamoDBStreamParameters"]
    )
    parameters = described["TargetParameters"]["EventBridgeEventBusParameters"]
    assert {k: parameters[k] for k in ("Source", "DetailType", "Time")} == {
        k: in_template["TargetParameters"]["EventBridgeEventBusParameters"][k] for k in ("Source", "DetailType", "Time")
    }


def test_the_intake_pipe_as_the_runner_reads_it() -> None:
    definition = pipe(Component.INTAKE, "Intake/Pipe")
    assert not definition.is_stream
    assert definition.unsupported == []
    assert definition.target_template is None
    assert definition.enrichment_arn is not None  # the customer lookup
    assert definition.enrichment_template is None


def test_what_the_runner_does_not_cover_is_named() -> None:
    properties = {
        "SourceParameters": {"KinesisStreamParameters": {}},
        "Enrichment": "arn:aws:states:eu-west-1:1:stateMachine:x",
        "TargetParameters": {"LambdaFunctionParameters": {"InvocationType": "FIRE_AND_FORGET"}},
    }
    problems = unsupported(properties)
    assert len(problems) == 3
    assert "FIRE_AND_FORGET" in problems[2]


class OneBatch:
    def __init__(self, batch: Any) -> None:
        self.batch = batch
        self.committed: list[StreamBatch] = []
        self.deleted: list[str] = []

    def next_batch(self) -> Any:
        batch, self.batch = self.batch, None
        return batch

    def commit(self, batch: StreamBatch) -> None:
        self.committed.append(batch)

    def delete(self, records: list[dict[str, Any]]) -> None:
        self.deleted.extend(record["messageId"] for record in records)


def stream_records() -> list[dict[str, Any]]:
    """Four records of one shard; the third cannot become an event (it has no NewImage)."""
    records = [stream_record(name) for name in ("order_insert", "order_modify", "order_insert_missing_new_image")]
    records.append(stream_record("customer_insert"))
    for number, record in enumerate(records, start=1):
        record["dynamodb"]["SequenceNumber"] = f"{number:021d}"
        record["dynamodb"]["ApproximateCreationDateTime"] = 4_102_444_800  # far ahead: never too old to retry
    return records


def enrichment(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        return [envelope(record) for record in batch]
    except RejectedRecordError as error:
        raise RuntimeError(str(error)) from None


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "RETRY_BACKOFF_SECONDS", (0.0,))


@pytest.mark.usefixtures("no_waiting")
def test_a_bad_record_is_bisected_out_retried_and_sent_to_the_dlq_as_a_pointer() -> None:
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    functions = FakeLambda({str(definition.enrichment_arn): enrichment})
    cloud = FakeCloud({"lambda": functions, "events": FakeEvents(), "sqs": FakeSqs()})
    reader = OneBatch(StreamBatch("shard-1", stream_records()))
    worker = StreamPipeWorker(definition, cloud.client, cloud.client, reader)  # type: ignore[arg-type]

    assert worker.poll_once()

    put = cloud.clients["events"].put
    assert [entry["DetailType"] for entry in put] == ["OrderCreated", "OrderUpdated", "CustomerCreated"]
    [dlq_name] = cloud.clients["sqs"].sent
    [pointer] = [json.loads(body) for body in cloud.clients["sqs"].sent[dlq_name]]
    info = pointer["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (f"{3:021d}", f"{3:021d}", 1)
    assert info["streamArn"] == STREAM_ARN
    retries = synthesize("local").config.stream_pipe.maximum_retry_attempts
    assert pointer["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert pointer["requestContext"]["approximateInvokeCount"] == retries + 1
    assert "NewImage" in pointer["responseContext"]["error"]
    assert len(reader.committed) == 1  # the shard moves on


def test_a_queue_batch_deletes_what_was_filtered_out_or_delivered_and_keeps_what_failed() -> None:
    definition = pipe(Component.INTAKE, "Intake/Pipe")
    heartbeat = sqs_record("m-heartbeat", "ping", {"purpose": "heartbeat"})
    records = [sqs_record("m-ok", "{}"), sqs_record("m-fails", "{}"), heartbeat]
    target = FakeLambda({
        str(definition.enrichment_arn): lambda batch: batch,  # the customer lookup hands the records on
        definition.target_arn: lambda batch: {"batchItemFailures": [{"itemIdentifier": "m-fails"}]},
    })  # fmt: skip
    events = FakeEvents(matches=matches)
    cloud = FakeCloud({"lambda": target, "events": events, "sqs": FakeSqs()})
    worker = QueuePipeWorker(definition, cloud.client, cloud.client)
    reader = OneBatch(QueueBatch(records))
    worker._reader = reader  # type: ignore[assignment]

    assert worker.poll_once()
    worker.finish()

    [(_, enriched), (_, delivered)] = target.calls
    assert enriched == delivered
    assert [record["messageId"] for record in delivered] == ["m-ok", "m-fails"]
    assert sorted(reader.deleted) == ["m-heartbeat", "m-ok"]


class Batches:
    """A queue that hands out the given batches one by one, then none."""

    def __init__(self, *batches: QueueBatch) -> None:
        self.batches = list(batches)
        self.deleted: list[str] = []

    def next_batch(self) -> QueueBatch | None:
        return self.batches.pop(0) if self.batches else None

    def delete(self, records: list[dict[str, Any]]) -> None:
        self.deleted.extend(record["messageId"] for record in records)


def test_a_queue_pipe_reads_its_next_batch_while_the_last_one_is_still_being_delivered() -> None:
    """As Pipes' pollers do: otherwise what queues up during a delivery joins the next batch, which AWS's does not."""
    definition = pipe(Component.INTAKE, "Intake/Pipe")
    first_delivered, release_first = threading.Event(), threading.Event()

    def target_call(batch: list[dict[str, Any]]) -> dict[str, Any]:
        if batch[0]["messageId"] == "m-1":
            first_delivered.set()
            assert release_first.wait(timeout=10)
        return {"batchItemFailures": []}

    target = FakeLambda({str(definition.enrichment_arn): lambda batch: batch, definition.target_arn: target_call})
    cloud = FakeCloud({"lambda": target, "events": FakeEvents(matches=matches), "sqs": FakeSqs()})
    worker = QueuePipeWorker(definition, cloud.client, cloud.client)
    queue = Batches(QueueBatch([sqs_record("m-1", "{}")]), QueueBatch([sqs_record("m-2", "{}")]))
    worker._reader = queue  # type: ignore[assignment]

    assert worker.poll_once()
    assert first_delivered.wait(timeout=10)
    assert worker.poll_once()  # read and handed on while m-1 is still held by its target
    assert not worker.poll_once()
    release_first.set()
    worker.finish()

    assert sorted(queue.deleted) == ["m-1", "m-2"]


@pytest.mark.usefixtures("no_waiting")
def test_an_event_over_256_kb_is_refused_as_aws_refuses_it_and_only_its_record_ends_in_the_dlq() -> None:
    """The emulator takes any size; PutEvents takes entries of at most 256 KB (the runner counts as AWS documents)."""
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    cloud = FakeCloud({"lambda": FakeLambda({str(definition.enrichment_arn): enrichment}), "events": FakeEvents(),
                       "sqs": FakeSqs()})  # fmt: skip
    records = [stream_record(name) for name in ("order_insert", "customer_insert")]
    records[1]["dynamodb"]["NewImage"]["preferences"] = {"S": "x" * 300_000}  # 300 KB: DynamoDB takes up to 400 KB
    for number, record in enumerate(records, start=1):
        record["dynamodb"]["SequenceNumber"] = f"{number:021d}"
        record["dynamodb"]["ApproximateCreationDateTime"] = 4_102_444_800
    worker = StreamPipeWorker(definition, cloud.client, cloud.client, OneBatch(StreamBatch("shard-1", records)))  # type: ignore[arg-type]

    assert worker.poll_once()

    assert [entry["DetailType"] for entry in cloud.clients["events"].put] == ["OrderCreated"]
    [dlq_name] = cloud.clients["sqs"].sent
    [pointer] = [json.loads(body) for body in cloud.clients["sqs"].sent[dlq_name]]
    assert pointer["DDBStreamBatchInfo"]["startSequenceNumber"] == f"{2:021d}"
    assert "over 262144 bytes" in pointer["responseContext"]["error"]


def test_a_stream_record_the_emulator_left_at_size_zero_is_given_its_items_size() -> None:
    record = stream_record("order_modify")
    record["dynamodb"]["SizeBytes"] = 0
    change = record["dynamodb"]
    expected = item_bytes(change["Keys"]) + item_bytes(change["NewImage"]) + item_bytes(change["OldImage"])
    assert expected > 100
    assert sized_record(record)["dynamodb"]["SizeBytes"] == expected
    record["dynamodb"]["SizeBytes"] = 77  # as AWS sent it: kept
    assert sized_record(record)["dynamodb"]["SizeBytes"] == 77
