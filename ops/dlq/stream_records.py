"""Reading a batch of stream records back by its pointer, in the shape Pipes hands records on."""

from __future__ import annotations

from typing import Any

from ops.aws import OperatorError
from ops.dlq.messages import StreamPointer
from rendering.pipe_records import as_pipes_record

GONE = ("TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException")


def read_batch(streams: Any, pointer: StreamPointer) -> list[dict[str, Any]]:
    """The records from `first` to `last` of the shard; a clear error if the stream no longer holds them."""
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=pointer.stream_arn, ShardId=pointer.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=pointer.first,
        )["ShardIterator"]  # fmt: skip
        records = _until_last(streams, iterator, pointer)
    except streams.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code not in GONE:
            raise
        raise _gone(pointer, code) from None
    # AWS answers a trimmed position with TrimmedDataAccessException; an emulator may just start elsewhere. Either
    # way, the batch must start and end where the pointer says, or it is not the batch.
    sequences = [record["dynamodb"]["SequenceNumber"] for record in records]
    if not sequences or sequences[0] != pointer.first or sequences[-1] != pointer.last:
        raise _gone(pointer, "not found at those positions")
    return records


def _gone(pointer: StreamPointer, why: str) -> OperatorError:
    return OperatorError(
        f"the stream no longer holds sequence numbers {pointer.first}..{pointer.last} of shard {pointer.shard_id} "
        f"({why}): a stream keeps records 24 h; find these changes in the table or its point-in-time recovery"
    )


def _until_last(streams: Any, iterator: str | None, pointer: StreamPointer) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    last = int(pointer.last)
    while iterator:
        response = streams.get_records(ShardIterator=iterator, Limit=100)
        for record in response["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > last:
                return records
            records.append(as_pipes_record(record, pointer.stream_arn))
        if not response["Records"] or (records and int(records[-1]["dynamodb"]["SequenceNumber"]) >= last):
            return records
        iterator = response.get("NextShardIterator")
    return records
