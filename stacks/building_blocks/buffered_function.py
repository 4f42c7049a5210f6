"""A work queue and what drains it: the queue with its own alarmed DLQ after `max_receive_count` receives and an
alarm on the age of its oldest message (`alarmed_buffer`: intake's queue, the event store's and the cache sync's
buffers, the high-value review queue), and a function's SQS event source with batch item failures reported, so that
one bad message is retried alone (`drain`: the event store's writer and the cache sync).

A queue drained by a function waits six times the function's timeout before a message is seen again, as Lambda's
SQS guide advises (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html); a queue people drain
keeps SQS's default.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.building_blocks.alarms import backlog_alarm
from stacks.building_blocks.dead_letter_queue import DeadLetterQueue, redriven_queue
from stacks.building_blocks.nag import acknowledge
from stacks.building_blocks.powertools_function import PowertoolsFunction


@dataclass(frozen=True)
class Buffer:
    """Construct ids and limits of one buffer (ids as the stacks had them: a new id would replace the queue)."""

    construct_id: str
    dead_letter_id: str
    alarm_id: str
    max_receive_count: int
    function_timeout_seconds: int | None  # None: no function drains it (SQS's default visibility timeout)
    max_age_seconds: int
    holds: str  # what its DLQ holds, for the DLQ's alarm
    waits: str  # the backlog alarm's description


def alarmed_buffer(scope: Construct, buffer: Buffer, alarm_topic: sns.ITopic) -> tuple[sqs.Queue, DeadLetterQueue]:
    timeout = buffer.function_timeout_seconds
    queue, dead_letter_queue = redriven_queue(
        scope,
        buffer.construct_id,
        dead_letter_id=buffer.dead_letter_id,
        max_receive_count=buffer.max_receive_count,
        holds=buffer.holds,
        alarm_topic=alarm_topic,
        **({"visibility_timeout": Duration.seconds(6 * timeout)} if timeout else {}),
    )
    backlog_alarm(scope, buffer.alarm_id, queue=queue, max_age_seconds=buffer.max_age_seconds,
                  description=buffer.waits, topic=alarm_topic)  # fmt: skip
    return queue, dead_letter_queue


def drain(
    function: PowertoolsFunction, queue: sqs.IQueue, *, batch_size: int, window_seconds: int, max_concurrency: int
) -> None:
    function.function.add_event_source(
        event_sources.SqsEventSource(
            queue,
            batch_size=batch_size,
            max_batching_window=Duration.seconds(window_seconds),
            report_batch_item_failures=True,
            max_concurrency=max_concurrency,
        )
    )
    acknowledge(
        function.function,
        "Serverless::Serverless-LambdaEventSourceMappingDestination",
        "SQS event source mappings take no on-failure destination; the buffer's redrive policy is the DLQ.",
    )
