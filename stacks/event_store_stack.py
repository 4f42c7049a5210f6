"""EventStore: every bus event (replays included) buffered in SQS and stored once in its own table."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.shared.event_store_keys import AGGREGATE, BY_DAY, EVENT_KEY, TTL_ATTRIBUTE
from stacks.building_blocks.buffered_function import Buffer, alarmed_buffer, drain
from stacks.building_blocks.bus_rules import consumer_rule
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.config import EventStoreSettings
from stacks.event_fabric_stack import EVERY_EVENT
from stacks.names import Output

STORE_TIMEOUT_SECONDS = 30
MAX_RECEIVE_COUNT = 5
BUFFER_MAX_AGE_SECONDS = 900
STORE_BATCHING_WINDOW_SECONDS = 20
STORE_BUFFER = Buffer(
    construct_id="Buffer",
    dead_letter_id="BufferDeadLetterQueue",
    alarm_id="BufferBacklogAgeAlarm",
    max_receive_count=MAX_RECEIVE_COUNT,
    function_timeout_seconds=STORE_TIMEOUT_SECONDS,
    max_age_seconds=BUFFER_MAX_AGE_SECONDS,
    holds=f"bus events the store failed to write {MAX_RECEIVE_COUNT} times",
    waits="Bus events wait too long to be stored: is the event store writer failing or throttled?",
)


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class EventStoreStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        alarm_topic: sns.ITopic,
        settings: EventStoreSettings,
        retain_data: bool,
        defaults: EnvironmentDefaults,
        recording_region: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`recording_region`: with a standby region, this one's: the store keeps the events it published
        (bus_rules.records_once); the other region's store keeps the others."""
        super().__init__(scope, construct_id, **kwargs)
        self.table = self._table(retain_data)
        self._buffer_fed_by_every_event(bus, alarm_topic, recording_region)
        self._writer(settings, defaults)
        CfnOutput(self, Output.EVENT_STORE_TABLE_NAME, value=self.table.table_name)
        CfnOutput(self, Output.EVENT_STORE_TABLE_ARN, value=self.table.table_arn)

    def _table(self, retain_data: bool) -> dynamodb.TableV2:
        """Keyed by aggregate and time, with one GSI by day (see event_store_keys)."""
        return dynamodb.TableV2(
            self,
            "Table",
            partition_key=_string(AGGREGATE),
            sort_key=_string(EVENT_KEY),
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=BY_DAY[0],
                    partition_key=_string(BY_DAY[1]),
                    sort_key=_string(EVENT_KEY),
                    # Keys only: a copy of every whole event per index tripled the store's writes; the operator's
                    # queries by day (and by type, which read the day) read the events by key (decisions 22, 27).
                    projection_type=dynamodb.ProjectionType.KEYS_ONLY,
                )
            ],
            # Without a configured retention (prod) nothing expires: the attribute is simply never written.
            time_to_live_attribute=TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=retain_data,
            removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
            billing=dynamodb.Billing.on_demand(),
        )

    def _buffer_fed_by_every_event(
        self, bus: events.IEventBus, alarm_topic: sns.ITopic, recording_region: str | None
    ) -> None:
        """Every event, replays included, buffered in SQS (with a DLQ and an age alarm) before it is written."""
        self.buffer, self.buffer_dead_letter_queue = alarmed_buffer(self, STORE_BUFFER, alarm_topic)
        buffers = consumer_rule(
            self,
            "EveryEventRule",
            bus=bus,
            event_pattern=EVERY_EVENT,
            description="Every event on the bus, replays included, into the event store's buffer",
            target=lambda reliable: targets.SqsQueue(self.buffer, **reliable),
            holds="bus events the rule could not buffer",
            alarm_topic=alarm_topic,
            acting_region=recording_region,
            records_every_event=True,  # the store keeps every copy once (a conditional put) and catches up by replay
            dead_letter_id="RuleDeadLetterQueue",
        )
        self.rule, self.rule_dead_letter_queue = buffers.rule, buffers.dead_letter_queue

    def _writer(self, settings: EventStoreSettings, defaults: EnvironmentDefaults) -> None:
        """The function that drains the buffer: it may only put items into the store table."""
        self.function = PowertoolsFunction(
            self,
            "Writer",
            package="event_store",
            description="Stores every bus event once in the event store table",
            failures_end_in=f"the buffer's DLQ, after {MAX_RECEIVE_COUNT} receives",
            defaults=defaults,
            timeout_seconds=STORE_TIMEOUT_SECONDS,
            environment={
                "EVENT_STORE_TABLE_NAME": self.table.table_name,
                **({"RETENTION_DAYS": str(settings.retention_days)} if settings.retention_days else {}),
            },
        )
        self.function.allow(self.table.table_arn, "dynamodb:PutItem")
        # The store is a recorder nobody waits on: batches of up to 20 s are full at prod's traffic (a batch costs a
        # receive, a delete and an invocation), far inside the buffer's age alarm.
        drain(self.function, self.buffer, batch_size=settings.batch_size, window_seconds=STORE_BATCHING_WINDOW_SECONDS,
              max_concurrency=settings.maximum_concurrency)  # fmt: skip
