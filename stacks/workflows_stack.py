"""Workflows: the order workflow, the OrderCreated rule that starts it, the high-value review queue."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.building_blocks.buffered_function import Buffer, alarmed_buffer
from stacks.building_blocks.bus_rules import consumer_rule, table_events
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.order_sweeper import OrderSweeper
from stacks.building_blocks.order_workflow import OrderWorkflow
from stacks.building_blocks.service_roles import rule_target_role
from stacks.config import WorkflowSettings
from stacks.names import Output, order_sweeper_schedule_name

REVIEW_MAX_RECEIVE_COUNT = 5


class WorkflowsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        bus: events.IEventBus,
        alarm_topic: sns.ITopic,
        workflow: WorkflowSettings,
        defaults: EnvironmentDefaults,
        acting_region: str | None = None,
        publishes: bool = True,
        env_name: str = "dev",
        **kwargs: Any,
    ) -> None:
        """`acting_region`: with a standby region, its rules act only on events this region published.
        `publishes`: this region's stream pipe runs, so its order sweeper runs too."""
        super().__init__(scope, construct_id, **kwargs)
        self._acting_region = acting_region
        self.order_workflow = OrderWorkflow(
            self,
            "OrderWorkflow",
            table=table,
            settings=workflow,
            defaults=defaults,
            alarm_topic=alarm_topic,
        )

        starts = consumer_rule(
            self,
            "OrderCreatedRule",
            bus=bus,
            event_pattern=table_events("OrderCreated"),
            description="Starts the order workflow for every new order (never for replays)",
            target=lambda reliable: targets.SfnStateMachine(
                self.order_workflow.state_machine,
                role=rule_target_role(self, "OrderCreatedTargetRole", description="Starts the order workflow"),
                input=events.RuleTargetInput.from_event_path("$.detail"),
                **reliable,
            ),
            holds="OrderCreated events that did not start the workflow",
            alarm_topic=alarm_topic,
            acting_region=acting_region,
            dead_letter_id="OrderCreatedDeadLetterQueue",
        )
        self.order_created_rule, self.order_created_dead_letter_queue = starts.rule, starts.dead_letter_queue

        self.order_sweeper = OrderSweeper(
            self,
            "OrderSweeper",
            table=table,
            state_machine=self.order_workflow.state_machine,
            alarm_topic=alarm_topic,
            defaults=defaults,
            enabled=publishes,
            schedule_name=order_sweeper_schedule_name(env_name),
        )
        self._high_value_review(bus, alarm_topic, workflow)
        CfnOutput(self, Output.STATE_MACHINE_ARN, value=self.order_workflow.state_machine.state_machine_arn)
        CfnOutput(self, Output.ORDER_SWEEPER_FUNCTION_NAME, value=self.order_sweeper.function.function.function_name)

    def _high_value_review(self, bus: events.IEventBus, alarm_topic: sns.ITopic, workflow: WorkflowSettings) -> None:
        """Orders above the threshold (a numeric match: amounts arrive as numbers) also go to a review queue."""
        self.review_queue, _ = alarmed_buffer(self, Buffer(
            construct_id="HighValueReviewQueue",
            dead_letter_id="ReviewDeadLetterQueue",
            alarm_id="HighValueReviewAgeAlarm",
            max_receive_count=REVIEW_MAX_RECEIVE_COUNT,
            function_timeout_seconds=None,  # people review it
            max_age_seconds=workflow.review_queue_max_age_seconds,
            holds=f"review messages that failed processing {REVIEW_MAX_RECEIVE_COUNT} times",
            waits="A high-value order has waited too long for review.",
        ), alarm_topic)  # fmt: skip
        threshold = workflow.high_value_order_threshold_minor
        queues = consumer_rule(
            self,
            "HighValueOrderRule",
            bus=bus,
            event_pattern=table_events(
                "OrderCreated", detail={"data": {"totalMinor": [{"numeric": [">", threshold]}]}}
            ),
            description=f"New orders above {threshold} minor units, for review",
            target=lambda reliable: targets.SqsQueue(self.review_queue, **reliable),
            holds="high-value orders the rule could not queue",
            alarm_topic=alarm_topic,
            acting_region=self._acting_region,
            dead_letter_id="HighValueRuleDeadLetterQueue",
        )
        self.high_value_rule, self.review_target_dead_letter_queue = queues.rule, queues.dead_letter_queue
        CfnOutput(self, Output.HIGH_VALUE_REVIEW_QUEUE_URL, value=self.review_queue.queue_url)
