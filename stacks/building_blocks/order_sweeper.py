"""The order sweeper: every few minutes, the order workflow again for each order left open too long.

Safe to run any number of times, because the workflow resumes from the order's status (decision 27). It runs only
in the region whose stream pipe publishes: elsewhere its schedule is disabled, as the pipe is stopped, and
`ops.failover publish-from` moves both together. A sweep that fails is simply the next sweep's work; the schedule's
target has a DLQ like every rule target (what EventBridge could not deliver), and an alarm tells on-call when an
order stays open through several sweeps.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from lambdas.shared.metric_names import Metric
from lambdas.shared.table_keys import OPEN_ORDERS
from stacks.building_blocks.alarms import FIVE_MINUTES, notify_when_at_least
from stacks.building_blocks.bus_rules import TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS
from stacks.building_blocks.dead_letter_queue import DeadLetterQueue
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.powertools_function import METRICS_NAMESPACE, PowertoolsFunction

SWEEP_EVERY = Duration.minutes(5)
# An EXPRESS execution lives 5 minutes at most (stacks/building_blocks/order_workflow.py): an order open three times
# that long has no execution left running.
STUCK_AFTER = Duration.minutes(15)
REPORT_AFTER = Duration.hours(1)
OPEN_TOO_LONG_METRIC = Metric.ORDERS_OPEN_TOO_LONG.value


class OrderSweeper(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        state_machine: sfn.IStateMachine,
        alarm_topic: sns.ITopic,
        defaults: EnvironmentDefaults,
        enabled: bool,
        schedule_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = PowertoolsFunction(
            self,
            "Sweeper",
            package="order_sweeper",
            description="Restarts the order workflow for every order left open too long",
            failures_end_in="the next sweep, which restarts whatever is still open",
            defaults=defaults,
            environment={
                "TABLE_NAME": table.table_name,
                "OPEN_ORDERS_INDEX": OPEN_ORDERS.name,
                "STATE_MACHINE_ARN": state_machine.state_machine_arn,
                "STUCK_AFTER_SECONDS": str(int(STUCK_AFTER.to_seconds())),
                "REPORT_AFTER_SECONDS": str(int(REPORT_AFTER.to_seconds())),
            },
            timeout_seconds=120,
        )
        self.function.allow(f"{table.table_arn}/index/{OPEN_ORDERS.name}", "dynamodb:Query")
        self.function.allow(state_machine.state_machine_arn, "states:StartExecution")
        self.dead_letter_queue = DeadLetterQueue(
            self, "ScheduleDeadLetterQueue", holds="sweeps EventBridge could not start", alarm_topic=alarm_topic
        )
        self.rule = events.Rule(
            self,
            "SweepSchedule",
            description=f"The order sweeper, every {SWEEP_EVERY.to_minutes():.0f} minutes (publishing region only)",
            rule_name=schedule_name,
            schedule=events.Schedule.rate(SWEEP_EVERY),
            enabled=enabled,
            targets=[
                targets.LambdaFunction(
                    self.function.function,
                    dead_letter_queue=self.dead_letter_queue.queue,
                    retry_attempts=TARGET_RETRY_ATTEMPTS,
                    max_event_age=TARGET_MAX_EVENT_AGE,
                )
            ],
        )
        self.dead_letter_queue.source_arn = self.rule.rule_arn
        self.open_too_long_alarm = notify_when_at_least(
            self,
            "OrdersOpenTooLongAlarm",
            metric=cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=OPEN_TOO_LONG_METRIC,
                dimensions_map={"service": "order-sweeper"},
                statistic=cloudwatch.Stats.MAXIMUM,
                period=FIVE_MINUTES,
            ),
            threshold=1,
            description=(
                f"Orders are still open {REPORT_AFTER.to_hours():.0f} h after intake although the sweeper restarts "
                "them: `python -m ops.orders show <orderId>` says where each stopped (docs/runbook.md)."
            ),
            topic=alarm_topic,
        )
