"""EventFabric: the bus with its DLQ, archive, catch-all log rule and schema registry, the stream pipe, and the alarm
topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.building_blocks.bus_rules import consumer_rule, own_or_foreign
from stacks.building_blocks.cross_account_subscribers import allow_cross_account_subscribers
from stacks.building_blocks.dead_letter_queue import DeadLetterKind, DeadLetterQueue
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.log_group_target import LogGroupTarget
from stacks.building_blocks.nag import acknowledge
from stacks.building_blocks.schema_registry import EventSchemaRegistry
from stacks.building_blocks.stream_pipe import StreamToBusPipe
from stacks.config import StreamPipeSettings
from stacks.names import SCHEMA_REGISTRY_OUTPUT, Output

# Matches every event: every event has a source, and every string starts with "".
EVERY_EVENT = events.EventPattern(source=events.Match.prefix(""))


class EventFabricStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        stream_pipe: StreamPipeSettings,
        archive_retention_days: int,
        alarm_email: str | None,
        defaults: EnvironmentDefaults,
        bus_name: str | None = None,
        pipe_running: bool = True,
        schema_registry: bool = True,
        recording_region: str | None = None,
        cross_account_subscribers: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """`bus_name`: a name shared with the other region's bus (a global endpoint needs both named alike), else
        generated. `pipe_running`: False for the standby region's stream pipe, deployed stopped. `schema_registry`:
        False only where the cloud has no schema registry (the local emulator). `recording_region`: with a standby
        region, this one's: its archive and event log take the events it published (bus_rules.records_once).
        `cross_account_subscribers`: accounts that may put rules of their own on the bus, delivering to themselves."""
        super().__init__(scope, construct_id, **kwargs)
        self.alarm_topic = self._alarm_topic(alarm_email)
        self.bus, self.bus_dead_letter_queue = self._bus(bus_name)
        allow_cross_account_subscribers(self.bus, cross_account_subscribers)
        self.archive = self.bus.archive(
            "Archive",
            description="Every event on the orders bus, for replay",
            event_pattern=EVERY_EVENT
            if recording_region is None
            else events.EventPattern(
                source=events.Match.prefix(""), detail={"metadata": {"originRegion": own_or_foreign(recording_region)}}
            ),
            retention=Duration.days(archive_retention_days),
        )
        self.event_log_group, self.log_rule = self._event_log(defaults, recording_region)
        self.stream_pipe = StreamToBusPipe(
            self,
            "StreamPipe",
            table=table,
            bus=self.bus,
            settings=stream_pipe,
            defaults=defaults,
            alarm_topic=self.alarm_topic,
            running=pipe_running,
        )
        CfnOutput(self, Output.EVENT_BUS_NAME, value=self.bus.event_bus_name)
        CfnOutput(self, Output.EVENT_BUS_ARN, value=self.bus.event_bus_arn)
        CfnOutput(self, Output.ARCHIVE_NAME, value=self.archive.archive_name)
        CfnOutput(self, Output.ARCHIVE_ARN, value=self.archive.archive_arn)
        CfnOutput(self, Output.ALARM_TOPIC_ARN, value=self.alarm_topic.topic_arn)
        self.schema_registry = EventSchemaRegistry(self, "Schemas") if schema_registry else None
        if self.schema_registry:
            CfnOutput(self, SCHEMA_REGISTRY_OUTPUT, value=self.schema_registry.registry.attr_registry_name)

    def _alarm_topic(self, alarm_email: str | None) -> sns.Topic:
        # No KMS key: alarm notifications carry alarm names and states only, and CloudWatch cannot publish to a topic
        # encrypted with the AWS managed SNS key (a customer managed key would cost more than it protects).
        topic = sns.Topic(self, "AlarmTopic", display_name="Orders alarms", enforce_ssl=True)
        # An explicit topic policy (enforce_ssl writes one) replaces SNS's default one, which let the account's
        # alarms publish: CloudWatch must be allowed by name, for this account's alarms in this region. CloudWatch
        # sends aws:SourceArn (the alarm) and aws:SourceAccount when it publishes:
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cross-service-confused-deputy-prevention.html
        # https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowThisAccountsAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[topic.topic_arn],
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{self.partition}:cloudwatch:{self.region}:{self.account}:alarm:*"
                    },
                    "StringEquals": {"aws:SourceAccount": self.account},
                },
            )
        )
        if alarm_email:
            subscription = topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
            acknowledge(
                subscription,
                "Serverless::Serverless-SNSRedrivePolicy",
                "Alarm e-mail: a DLQ of undelivered alarm notifications could only alarm into this same topic.",
            )
        return topic

    def _bus(self, bus_name: str | None) -> tuple[events.EventBus, DeadLetterQueue]:
        """The bus, whose own DLQ takes what no rule target could be handed (only this bus may send to it)."""
        dead_letter_queue = DeadLetterQueue(
            self,
            "BusDeadLetterQueue",
            holds="events the bus could not deliver",
            alarm_topic=self.alarm_topic,
            kind=DeadLetterKind.BUS,
        )
        bus = events.EventBus(self, "Bus", event_bus_name=bus_name, dead_letter_queue=dead_letter_queue.queue)
        dead_letter_queue.source_arn = bus.event_bus_arn
        dead_letter_queue.queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[dead_letter_queue.queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": bus.event_bus_arn}},
            )
        )
        return bus, dead_letter_queue

    def _event_log(
        self, defaults: EnvironmentDefaults, recording_region: str | None
    ) -> tuple[logs.LogGroup, events.Rule]:
        """Every event, replays included, into a log group: what happened, searchable with Logs Insights. The
        Infrequent Access class ingests at half the Standard price and keeps what this log is for (Logs Insights,
        GetLogEvents, retention, KMS); it has no metric or subscription filters, Live Tail or data protection
        policies, none of which this log uses (decision 27). A class is set when the group is made: changing it
        replaces the group, whose old events stay in the old group until its retention ends."""
        log_group = defaults.log_group(self, "EventLog", log_group_class=logs.LogGroupClass.INFREQUENT_ACCESS)
        logs_every_event = consumer_rule(
            self,
            "EventLogRule",
            bus=self.bus,
            event_pattern=EVERY_EVENT,
            description="Every event on the bus, replays included, into a CloudWatch log group",
            target=lambda reliable: LogGroupTarget(log_group, **reliable),
            holds="events the log rule could not write",
            alarm_topic=self.alarm_topic,
            acting_region=recording_region,
            records_every_event=True,  # a log of what happened, replays included
            dead_letter_id="EventLogDeadLetterQueue",
        )
        self.log_rule_dead_letter_queue = logs_every_event.dead_letter_queue
        return log_group, logs_every_event.rule
