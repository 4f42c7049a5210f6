"""The DLQ every failure path ends in: encrypted, SSL only, 14 days of retention, alarmed on its first message."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.building_blocks.alarms import ONE_MINUTE, notify_when_at_least
from stacks.building_blocks.nag import acknowledge

DLQ_RETENTION = Duration.days(14)


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


class DeadLetterQueue(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, holds: str, alarm_topic: sns.ITopic) -> None:
        """`holds` says what ends up here, for the alarm description (e.g. "events the bus could not deliver")."""
        super().__init__(scope, construct_id)
        self.queue = encrypted_queue(self, "Queue")
        self.alarm = notify_when_at_least(
            self,
            "MessagesVisibleAlarm",
            metric=self.queue.metric_approximate_number_of_messages_visible(
                period=ONE_MINUTE, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            description=f"Dead-letter queue holds {holds}: inspect, fix the cause, then redrive.",
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
    dead_letter_queue = DeadLetterQueue(scope, dead_letter_id, holds=holds, alarm_topic=alarm_topic)
    queue = encrypted_queue(
        scope,
        construct_id,
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letter_queue.queue, max_receive_count=max_receive_count),
        **props,
    )
    return queue, dead_letter_queue
