"""One worker per pipe: read a batch, filter it, enrich it, deliver it, and handle failure as Pipes does.

Stream source (AWS EventBridge user guide, "Amazon EventBridge Pipes error handling and troubleshooting", and the
source parameters of AWS::Pipes::Pipe): a failed batch is retried up to `MaximumRetryAttempts` times while its
oldest record is younger than `MaximumRecordAgeInSeconds`; with `AUTOMATIC_BISECT` a failed batch is halved and each
half retried. When that is exhausted, the DLQ receives a pointer to the batch (its shard and sequence-number range),
never the records, and the shard moves on. Nothing in the batch is skipped silently: every outcome is logged.

SQS source: records the filter drops are deleted (Pipes does that too); delivered records are deleted; failed ones
(an invocation error, or the ids in `batchItemFailures`) are left for SQS to redeliver and finally dead-letter. As
Pipes' pollers do, the worker reads the next batch while earlier ones are being handled (up to QUEUE_BATCHES_AT_ONCE),
so a batch holds what arrived within its batching window, not also what queued up while the previous batch was
handled (which made local batches fuller than AWS's: the cost check compares them with the model).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from local_cloud.pipes.checkpoints import Checkpoints
from local_cloud.pipes.definition import PipeDefinition
from local_cloud.pipes.filtering import FilterCriteria
from local_cloud.pipes.sources import QueueReader, StreamBatch, StreamReader
from local_cloud.pipes.targets import DeliveryError, enrich, invoke_lambda_target, put_on_bus
from rendering.pipe_input import TransformError

logger = logging.getLogger("pipes")
RETRY_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0)  # Pipes backs off for longer; locally, quick retries show the same
# Lambda's SQS event source mapping starts with five pollers (Lambda developer guide, "Scaling behavior" of SQS event
# source mappings); the Pipes guide gives no number for its own, so the runner takes Lambda's.
QUEUE_BATCHES_AT_ONCE = 5


class PipeWorker(threading.Thread):
    def __init__(self, definition: PipeDefinition, client: Any, runner_client: Any) -> None:
        """`client` makes clients acting as the pipe's role; `runner_client` acts with the runner's own credentials,
        for what is Pipes' own work on AWS (filtering) and what the emulator cannot authorize (stream reads)."""
        super().__init__(name=definition.logical_id, daemon=True)
        self.definition = definition
        self._client = client
        self._filter = FilterCriteria(runner_client("events"), definition.filters)
        self.stopping = threading.Event()

    def run(self) -> None:
        logger.info("%s: running (%s -> %s)", self.name, self.definition.source_arn, self.definition.target_arn)
        while not self.stopping.is_set():
            try:
                if not self.poll_once():
                    time.sleep(0.2)
            except Exception:
                logger.exception("%s: polling failed; trying again in 2 s", self.name)
                time.sleep(2)
        self.finish()
        logger.info("%s: stopped", self.name)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def finish(self) -> None:
        """Let what the worker started end before it counts as stopped."""

    def deliver(self, records: list[dict[str, Any]]) -> set[str]:
        """Enrich and deliver; returns the ids a Lambda target reported as failed. Raises DeliveryError."""
        try:
            elements = enrich(self._client("lambda"), self.definition, records)
            if "EventBridgeEventBusParameters" in self.definition.target_parameters:
                count = put_on_bus(self._client("events"), self.definition, elements)
                logger.info("%s: %d events put on %s", self.name, count, self.definition.target_arn)
                return set()
            return invoke_lambda_target(self._client("lambda"), self.definition, elements)
        except TransformError as error:
            raise DeliveryError(f"input transformation failed: {error}") from None


class StreamPipeWorker(PipeWorker):
    def __init__(
        self,
        definition: PipeDefinition,
        client: Any,
        runner_client: Any,
        reader: StreamReader | None = None,
        checkpoints: Checkpoints | None = None,
    ) -> None:
        super().__init__(definition, client, runner_client)
        # MiniStack 1.5.33 authorizes DynamoDB Streams calls against resource "*", not the stream's ARN, so the
        # role's grant on the stream (as on AWS) is refused there: the stream is read with the runner's credentials.
        self.reader = reader or StreamReader(runner_client("dynamodbstreams"), definition, checkpoints)

    def poll_once(self) -> bool:
        batch = self.reader.next_batch()
        if batch is None:
            return False
        kept = [record for record in batch.records if self._filter.passes(record)]
        logger.info("%s: %d records (sequence %s..%s), %d dropped by the filter", self.name, len(batch.records),
                    batch.first_sequence, batch.last_sequence, len(batch.records) - len(kept))  # fmt: skip
        if kept:
            self._deliver_with_retries(StreamBatch(batch.shard_id, kept), attempt=0)
        self.reader.commit(batch)
        return True

    def _deliver_with_retries(self, batch: StreamBatch, attempt: int) -> None:
        try:
            self.deliver(batch.records)
            return
        except DeliveryError as error:
            logger.warning("%s: batch %s..%s failed (attempt %d): %s", self.name, batch.first_sequence,
                           batch.last_sequence, attempt + 1, error)  # fmt: skip
            failure = str(error)
        bisect = self.definition.source.get("OnPartialBatchItemFailure") == "AUTOMATIC_BISECT"
        if bisect and len(batch.records) > 1:  # halving is not a retry: it isolates the record that fails
            middle = len(batch.records) // 2
            for half in (batch.records[:middle], batch.records[middle:]):
                self._deliver_with_retries(StreamBatch(batch.shard_id, half), attempt)
            return
        reason = self._give_up_reason(batch, attempt)
        if reason is not None:
            self._dead_letter(batch, reason, attempt + 1, failure)
            return
        time.sleep(RETRY_BACKOFF_SECONDS[min(attempt, len(RETRY_BACKOFF_SECONDS) - 1)])
        self._deliver_with_retries(batch, attempt + 1)

    def _give_up_reason(self, batch: StreamBatch, attempt: int) -> str | None:
        max_retries = int(self.definition.source.get("MaximumRetryAttempts", -1))
        if 0 <= max_retries <= attempt:
            return "RetryAttemptsExhausted"
        max_age = int(self.definition.source.get("MaximumRecordAgeInSeconds", -1))
        oldest = int(batch.records[0]["dynamodb"]["ApproximateCreationDateTime"])
        if max_age >= 0 and time.time() - oldest > max_age:
            return "RecordAgeExceeded"
        return None

    def _dead_letter(self, batch: StreamBatch, reason: str, attempts: int, error: str) -> None:
        pointer = stream_batch_pointer(self.definition, batch, reason, attempts, error)
        arn = self.definition.dead_letter_arn
        if arn is None:
            logger.error("%s: batch %s..%s dropped after %s: the pipe has no DLQ", self.name,
                         batch.first_sequence, batch.last_sequence, reason)  # fmt: skip
            return
        _, _, _, _, account, name = arn.split(":")
        sqs = self._client("sqs")
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(pointer))
        logger.error("%s: batch %s..%s sent to the DLQ as a pointer (%s)", self.name, batch.first_sequence,
                     batch.last_sequence, reason)  # fmt: skip


def stream_batch_pointer(
    definition: PipeDefinition, batch: StreamBatch, reason: str, attempts: int, error: str
) -> dict[str, Any]:
    """What the DLQ gets for a stream batch: where the records are, not the records. The Pipes guide documents only
    that; this follows the shape Lambda documents for stream on-failure records (`DDBStreamBatchInfo`)."""
    first, last = batch.records[0]["dynamodb"], batch.records[-1]["dynamodb"]
    return {
        "requestContext": {"requestId": str(uuid.uuid4()), "pipeArn": definition.name, "condition": reason,
                           "approximateInvokeCount": attempts},
        "responseContext": {"error": error[:1000]},
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "DDBStreamBatchInfo": {
            "shardId": batch.shard_id,
            "startSequenceNumber": first["SequenceNumber"],
            "endSequenceNumber": last["SequenceNumber"],
            "approximateArrivalOfFirstRecord": _iso(first["ApproximateCreationDateTime"]),
            "approximateArrivalOfLastRecord": _iso(last["ApproximateCreationDateTime"]),
            "batchSize": len(batch.records),
            "streamArn": definition.source_arn,
        },
    }  # fmt: skip


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class QueuePipeWorker(PipeWorker):
    def __init__(self, definition: PipeDefinition, client: Any, runner_client: Any) -> None:
        super().__init__(definition, client, runner_client)
        self._reader = QueueReader(client("sqs"), definition)
        self._handlers = ThreadPoolExecutor(QUEUE_BATCHES_AT_ONCE, thread_name_prefix=definition.logical_id)
        self._free = threading.BoundedSemaphore(QUEUE_BATCHES_AT_ONCE)

    def poll_once(self) -> bool:
        self._free.acquire()  # no batch is read while every handler is busy: unread messages stay in the queue
        try:
            batch = self._reader.next_batch()
        except BaseException:
            self._free.release()
            raise
        if batch is None:
            self._free.release()
            return False
        self._handlers.submit(self._handle_and_free, batch.records)
        return True

    def finish(self) -> None:
        self._handlers.shutdown(wait=True)

    def _handle_and_free(self, records: list[dict[str, Any]]) -> None:
        try:
            self._handle(records)
        except Exception:
            logger.exception("%s: a batch of %d messages failed; SQS redelivers it", self.name, len(records))
        finally:
            self._free.release()

    def _handle(self, records: list[dict[str, Any]]) -> None:
        kept = [record for record in records if self._filter.passes(record)]
        dropped = [record for record in records if record not in kept]
        self._reader.delete(dropped)
        logger.info("%s: %d messages, %d dropped by the filter (deleted)", self.name, len(records), len(dropped))
        if not kept:
            return
        try:
            failed_ids = self.deliver(kept)
        except DeliveryError as error:
            logger.warning("%s: %d messages failed, left for SQS to redeliver: %s", self.name, len(kept), error)
            return
        self._reader.delete([record for record in kept if record["messageId"] not in failed_ids])
        if failed_ids:
            logger.warning("%s: %d messages reported failed, left for SQS to redeliver", self.name, len(failed_ids))


def worker_for(
    definition: PipeDefinition,
    client: Any,
    runner_client: Any,
    positions: dict[str, StreamReader],
    checkpoints: Checkpoints | None = None,
) -> PipeWorker:
    """A stream pipe keeps its read position across redeploys (`positions`, by pipe name and stream) and, with
    `checkpoints`, across restarts of the runner."""
    if not definition.is_stream:
        return QueuePipeWorker(definition, client, runner_client)
    key = f"{definition.name}|{definition.source_arn}"
    worker = StreamPipeWorker(definition, client, runner_client, positions.get(key), checkpoints)
    positions[key] = worker.reader
    return worker
