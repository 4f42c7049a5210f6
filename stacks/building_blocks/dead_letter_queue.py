"""The DLQ every failure path ends in: encrypted, SSL only, 14 days of retention, alarmed on its first message."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.building_blocks.alarms import ONE_MINUTE, notify_when_at_least
from stacks.building_blocks.nag import acknowledge
from stacks.names import DEAD_LETTER_QUEUES_OUTPUT, dead_letter_queue_label, environment_and_component

DLQ_RETENTION = Duration.days(14)
# App context: the environment's standby region, whose DLQ alarms name the region their commands must run in.
STANDBY_REGION_CONTEXT = "orders:standbyRegion"


def encrypted_queue(scope: Construct, construct_id: str, **props: Any) -> sqs.Queue:
    """Every queue here: SSE (SQS managed keys), TLS only, messages kept 14 days unless `props` say otherwise."""
    return sqs.Queue(
        scope,
        construct_id,
        **{
            "encryption": sqs.QueueEncryption.SQS_MANAGED,
            "enforce_ssl": True,
            "retention_period": DLQ_RETENTION,
            **props,
        },
    )


class DeadLetterKind(StrEnum):
    """Where a DLQ's messages came from, which decides how `python -m ops.dlq redrive` puts them back."""

    QUEUE = "queue"  # a work queue's redrive DLQ: messages move back to that queue
    RULE_TARGET = "rule-target"  # a rule target's DLQ: each event goes back to that one target
    BUS = "bus"  # the bus's own DLQ: like a rule target's (the messages name their rule and target)
    STREAM_PIPE = "stream-pipe"  # pointers to stream records: read back and published through the pipe's enrichment
    REJECTED = "rejected"  # intake's rejections: for the producer to fix and resend, never redriven


class DeadLetterQueue(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        holds: str,
        alarm_topic: sns.ITopic,
        kind: DeadLetterKind = DeadLetterKind.RULE_TARGET,
    ) -> None:
        """`holds` says what ends up here, for the alarm description (e.g. "events the bus could not deliver").
        Set `source_arn` to what feeds it (the rule, the work queue, the pipe) once that exists."""
        super().__init__(scope, construct_id)
        self.kind = kind
        self.source_arn: str | None = None
        self.queue = encrypted_queue(self, "Queue")
        self.alarm = notify_when_at_least(
            self,
            "MessagesVisibleAlarm",
            metric=self.queue.metric_approximate_number_of_messages_visible(
                period=ONE_MINUTE, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            description=self._what_to_do(holds),
            topic=alarm_topic,
        )
        acknowledge(
            self.queue,
            "AwsSolutions::AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue (of an EventBridge target, bus or pipe).",
        )
        acknowledge(
            self.queue,
            "Serverless::Serverless-SQSRedrivePolicy",
            "This queue is itself a dead-letter queue; its messages are inspected and redriven by hand.",
        )

    def _what_to_do(self, holds: str) -> str:
        """The alarm's description: what the queue holds and the operator's next command (docs/runbook.md)."""
        stack = Stack.of(self)
        parsed = environment_and_component(stack.stack_name)
        label = dead_letter_queue_label(stack.stack_name, self.node.path.removeprefix(f"{stack.node.path}/"))
        in_standby = stack.region == self.node.try_get_context(STANDBY_REGION_CONTEXT)
        region = f"AWS_REGION={stack.region} " if in_standby else ""
        command = f"{region}python -m ops.dlq --env {parsed[0] if parsed else '<env>'}"
        if self.kind == DeadLetterKind.REJECTED:
            return (f"{holds[0].upper()}{holds[1:]}: read them with `{command} show {label}`; the producer fixes and "
                    f"resends them (docs/runbook.md).")  # fmt: skip
        return (f"Dead-letter queue holds {holds}: `{command} show {label}`, fix the cause, then "
                f"`{command} redrive {label}` (docs/runbook.md).")  # fmt: skip


def redriven_queue(
    scope: Construct,
    construct_id: str,
    *,
    dead_letter_id: str,
    max_receive_count: int,
    holds: str,
    alarm_topic: sns.ITopic,
    **props: Any,
) -> tuple[sqs.Queue, DeadLetterQueue]:
    """A work queue whose messages move to their own alarmed DLQ after `max_receive_count` receives."""
    dead_letter_queue = DeadLetterQueue(
        scope, dead_letter_id, holds=holds, alarm_topic=alarm_topic, kind=DeadLetterKind.QUEUE
    )
    queue = encrypted_queue(
        scope,
        construct_id,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letter_queue.queue, max_receive_count=max_receive_count),
        **props,
    )
    dead_letter_queue.source_arn = queue.queue_arn
    return queue, dead_letter_queue


def publish_dead_letter_queues(stack: Stack) -> None:
    """One stack output listing the stack's DLQs (name, kind, URL, ARN, source) for the operator CLI."""
    found = [c for c in stack.node.find_all() if isinstance(c, DeadLetterQueue)]
    if not found:
        return
    entries = [
        {
            "name": dlq.node.path.removeprefix(f"{stack.node.path}/"),
            "kind": str(dlq.kind),
            "url": dlq.queue.queue_url,
            "arn": dlq.queue.queue_arn,
            "source": dlq.source_arn or "",
        }
        for dlq in found
    ]
    CfnOutput(stack, DEAD_LETTER_QUEUES_OUTPUT, value=stack.to_json_string(entries),
              description="The dead-letter queues of this stack, for python -m ops.dlq")  # fmt: skip
