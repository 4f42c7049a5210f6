"""ops.dlq and the stream pipe's DLQ: a pointer is read back from the stream and published through the pipe's
enrichment; a pointer the stream no longer holds, or a pipe described without its parameters, moves nothing."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_cloud.pipes.definition import PipeDefinition
from local_cloud.pipes.sources import StreamBatch
from local_cloud.pipes.workers import stream_batch_pointer
from ops import aws
from ops.dlq import cli
from rendering.pipe_records import as_pipes_record
from tests.support.dlq_world import ENRICHMENT, REGION, World, run, streams_client
from tests.support.seed import customer_item, order_item
from tests.support.synth import synthesize


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
