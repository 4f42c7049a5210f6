"""Reading a pipe's source the way Pipes does, into records of the shape Pipes hands on.

- DynamoDB stream: every shard, from the pipe's starting position, in order; a batch is up to `BatchSize` records
  of one shard, waiting up to `MaximumBatchingWindowInSeconds` to fill. The position advances only when the caller
  commits a batch, so a failed batch is read again; with `Checkpoints`, a committed position outlives the runner.
  MiniStack writes `SizeBytes: 0` on every stream record; the record is given its size here (see `sized_record`).
- SQS queue: long polling; a batch is up to `BatchSize` messages gathered within the batching window. Messages stay
  in the queue (invisible) until the caller deletes them: what is not deleted comes back after the visibility
  timeout and, past the queue's maxReceiveCount, moves to its redrive DLQ, as with Pipes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from devtools.cost.item_sizes import item_bytes
from local_cloud.pipes.checkpoints import Checkpoints
from local_cloud.pipes.definition import PipeDefinition
from rendering.pipe_records import as_pipes_record, sqs_record

POLL_SECONDS = 0.5


@dataclass
class StreamBatch:
    shard_id: str
    records: list[dict[str, Any]]

    @property
    def first_sequence(self) -> str:
        return str(self.records[0]["dynamodb"]["SequenceNumber"])

    @property
    def last_sequence(self) -> str:
        return str(self.records[-1]["dynamodb"]["SequenceNumber"])


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    buffered: list[dict[str, Any]] = field(default_factory=list)
    checkpoint: str | None = None  # last committed sequence number


class StreamReader:
    def __init__(self, streams: Any, definition: PipeDefinition, checkpoints: Checkpoints | None = None) -> None:
        self._streams = streams
        self._definition = definition
        self._stream_arn = definition.source_arn
        self._checkpoints = checkpoints
        self._shards: dict[str, _Shard] = {}
        self._discover(str(definition.source.get("StartingPosition", "LATEST")))

    def _discover(self, starting_position: str) -> None:
        description = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id in self._shards:
                continue
            committed = self._committed(shard_id)
            where: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": committed}
                if committed
                else {"ShardIteratorType": starting_position}
            )
            iterator = self._streams.get_shard_iterator(StreamArn=self._stream_arn, ShardId=shard_id, **where)
            self._shards[shard_id] = _Shard(shard_id, iterator["ShardIterator"], checkpoint=committed)

    def _committed(self, shard_id: str) -> str | None:
        if self._checkpoints is None:
            return None
        return self._checkpoints.position(self._definition.name, self._stream_arn, shard_id)

    def next_batch(self) -> StreamBatch | None:
        """Up to BatchSize records of one shard, or None when no shard has any within the batching window."""
        size = int(self._definition.source.get("BatchSize", 100))
        window = float(self._definition.source.get("MaximumBatchingWindowInSeconds", 0))
        for shard in self._shards.values():
            deadline = time.monotonic() + window
            self._fill(shard, size)
            while shard.buffered and len(shard.buffered) < size and time.monotonic() < deadline:
                time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
                self._fill(shard, size)
            if shard.buffered:
                return StreamBatch(shard.shard_id, shard.buffered[:size])
        return None

    def _fill(self, shard: _Shard, size: int) -> None:
        if shard.iterator is None or len(shard.buffered) >= size:
            return
        response = self._streams.get_records(ShardIterator=shard.iterator, Limit=size)
        shard.iterator = response.get("NextShardIterator")
        shard.buffered.extend(self._as_pipes_record(record) for record in response["Records"])

    def commit(self, batch: StreamBatch) -> None:
        """The batch is done (delivered, or its pointer sent to the DLQ): never read it again."""
        shard = self._shards[batch.shard_id]
        del shard.buffered[: len(batch.records)]
        shard.checkpoint = batch.last_sequence
        if self._checkpoints:
            self._checkpoints.commit(self._definition.name, self._stream_arn, batch.shard_id, batch.last_sequence)

    def _as_pipes_record(self, record: dict[str, Any]) -> dict[str, Any]:
        return as_pipes_record(sized_record(record), self._stream_arn)


def sized_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with a `SizeBytes` where the emulator wrote 0. AWS documents the field only as "the size of the
    stream record, in bytes" (DynamoDB Streams API, StreamRecord); here it is the DynamoDB size of its keys and
    images, by the guide's item size rules, which is what a consumer reading it for a size check needs."""
    change = record.get("dynamodb") or {}
    if change.get("SizeBytes"):
        return record
    size = sum(item_bytes(change.get(part)) for part in ("Keys", "NewImage", "OldImage"))
    return record | {"dynamodb": change | {"SizeBytes": size}}


@dataclass
class QueueBatch:
    records: list[dict[str, Any]]


class QueueReader:
    def __init__(self, sqs: Any, definition: PipeDefinition) -> None:
        self._sqs = sqs
        self._definition = definition
        _, _, _, region, account, name = definition.source_arn.split(":")
        self._region = region
        self._url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def next_batch(self) -> QueueBatch | None:
        size = int(self._definition.source.get("BatchSize", 10))
        window = float(self._definition.source.get("MaximumBatchingWindowInSeconds", 0))
        records: list[dict[str, Any]] = []
        deadline: float | None = None
        while len(records) < size:
            # Once the window has closed, one last receive takes what arrived during the last pause, as the stream
            # reader does: without it a batch held what arrived in the first half of its window only.
            window_closed = deadline is not None and time.monotonic() >= deadline
            response = self._sqs.receive_message(
                QueueUrl=self._url,
                MaxNumberOfMessages=min(10, size - len(records)),
                WaitTimeSeconds=1 if deadline is None else 0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            messages = response.get("Messages", [])
            records.extend(sqs_record(message, self._definition.source_arn, self._region) for message in messages)
            if records and deadline is None:
                deadline = time.monotonic() + window
            if window_closed:
                break
            if not messages:
                if deadline is None:
                    return None
                time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
        return QueueBatch(records) if records else None

    def delete(self, records: list[dict[str, Any]]) -> None:
        # One DeleteMessage each: MiniStack 1.5.33 checks DeleteMessageBatch as an action of its own, while IAM
        # authorizes it with sqs:DeleteMessage (the SQS developer guide), the permission a pipe's role has.
        for record in records:
            self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=record["receiptHandle"])
