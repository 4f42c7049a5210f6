"""A stream pipe's position outlives the runner: a new reader resumes just after the last committed batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from local_cloud.pipes.checkpoints import Checkpoints
from local_cloud.pipes.sources import StreamReader
from stacks.names import Component
from tests.local_cloud.test_pipes_runner import STREAM_ARN, pipe


class OneShardStream:
    """DynamoDB Streams with one shard holding records 1..n, written after the pipe started (so that LATEST and
    TRIM_HORIZON both begin at the first); iterators are positions into it."""

    def __init__(self, records: int) -> None:
        self.sequences = [f"{n:021d}" for n in range(1, records + 1)]
        self.iterators_asked: list[dict[str, str]] = []

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, StreamArn: str, ShardId: str, **where: str) -> dict[str, Any]:
        self.iterators_asked.append(where)
        start = {"TRIM_HORIZON": 0, "LATEST": 0}.get(where["ShardIteratorType"])
        if start is None:  # AFTER_SEQUENCE_NUMBER
            start = self.sequences.index(where["SequenceNumber"]) + 1
        return {"ShardIterator": str(start)}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator)
        chosen = self.sequences[start : start + Limit]
        records = [{"eventID": s, "eventName": "MODIFY", "awsRegion": "eu-west-1",
                    "dynamodb": {"SequenceNumber": s, "ApproximateCreationDateTime": 1795428000,
                                 "Keys": {"pk": {"S": f"ORDER#o-{s}"}}}} for s in chosen]  # fmt: skip
        return {"Records": records, "NextShardIterator": str(start + len(chosen))}


def test_a_restarted_reader_goes_on_after_the_last_committed_batch_and_reads_nothing_twice(tmp_path: Path) -> None:
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    assert definition.source_arn == STREAM_ARN
    stream, checkpoints = OneShardStream(records=25), Checkpoints(tmp_path / "checkpoints.json")

    first = StreamReader(stream, definition, checkpoints)
    batch = first.next_batch()
    assert batch is not None
    first.commit(batch)
    uncommitted = first.next_batch()  # read, then the runner is killed before it is delivered
    assert uncommitted is not None

    restarted = StreamReader(stream, definition, Checkpoints(tmp_path / "checkpoints.json"))
    again = restarted.next_batch()

    assert again is not None
    assert again.first_sequence == uncommitted.first_sequence  # the batch in flight is read again, not lost
    assert int(again.first_sequence) == int(batch.last_sequence) + 1  # and nothing committed is read twice
    assert stream.iterators_asked[-1] == {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                          "SequenceNumber": batch.last_sequence}  # fmt: skip


def test_a_position_of_another_stream_is_not_used(tmp_path: Path) -> None:
    definition = pipe(Component.EVENT_FABRIC, "StreamPipe/Pipe")
    checkpoints = Checkpoints(tmp_path / "checkpoints.json")
    checkpoints.commit(definition.name, "arn:aws:dynamodb:eu-west-1:000000000000:table/orders/stream/older", "shard-1",
                       "000000000000000000005")  # fmt: skip
    stream = OneShardStream(records=3)

    StreamReader(stream, definition, checkpoints)

    assert stream.iterators_asked == [{"ShardIteratorType": definition.source["StartingPosition"]}]
