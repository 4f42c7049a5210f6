"""Order intake: producers' SQS queue -> pipe (enriched with each order's customer) -> validating Lambda -> the order
written once with its customer's snapshot, or rejected with a reason.

The pipe's enrichment looks up the customers of a whole batch with one BatchGetItem and attaches each message's
customer snapshot (null for an unknown customer, which intake rejects); the records stay one-for-one, so the
intake function's partial batch failures still name the messages.

The pipe's filter only routes: it drops heartbeat messages (message attribute `purpose` = "heartbeat") that a
monitoring probe sends to prove the queue accepts messages, unless the body names an order: a producer that tags a
real order so by mistake still has it taken. An SQS pipe deletes what it filters out, so the filter never judges
a message's content beyond that: every other message, however malformed, reaches the Lambda, which validates it.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_pipes_alpha as pipes
from aws_cdk import aws_pipes_enrichments_alpha as pipes_enrichments
from aws_cdk import aws_pipes_sources_alpha as pipes_sources
from aws_cdk import aws_pipes_targets_alpha as pipes_targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.building_blocks.buffered_function import Buffer, alarmed_buffer
from stacks.building_blocks.dead_letter_queue import DeadLetterKind, DeadLetterQueue
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.nag import acknowledge_invoke_of_versions
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.building_blocks.service_roles import pipe_with_role
from stacks.config import IntakeSettings

INTAKE_TIMEOUT_SECONDS = 30


def intake_filter_patterns() -> list[dict[str, object]]:
    """Everything except heartbeats: messages without the attribute, with any other value of it, or with a body
    that names an order (Pipes filters a JSON body as JSON: eb-pipes-event-filtering.html)."""
    return [
        {"messageAttributes": {"purpose": {"stringValue": [{"exists": False}]}}},
        {"messageAttributes": {"purpose": {"stringValue": [{"anything-but": ["heartbeat"]}]}}},
        {"body": {"orderId": [{"exists": True}]}},
    ]


class OrderIntake(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        settings: IntakeSettings,
        defaults: EnvironmentDefaults,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        # The visibility timeout is longer than a whole pipe invocation (function timeout plus batching): no message
        # is handled twice at once.
        self.queue, self.dead_letter_queue = alarmed_buffer(self, Buffer(
            construct_id="Queue",
            dead_letter_id="DeadLetterQueue",
            alarm_id="BacklogAgeAlarm",
            max_receive_count=settings.max_receive_count,
            function_timeout_seconds=INTAKE_TIMEOUT_SECONDS,
            max_age_seconds=settings.backlog_max_age_seconds,
            holds=f"intake messages that failed {settings.max_receive_count} times (transient errors that persisted)",
            waits="Order messages wait too long in the intake queue: is the pipe running?",
        ), alarm_topic)  # fmt: skip
        self.rejected_queue = DeadLetterQueue(
            self,
            "RejectedQueue",
            holds="rejected order messages, each with its reason",
            alarm_topic=alarm_topic,
            kind=DeadLetterKind.REJECTED,
        )
        self.rejected_queue.source_arn = self.queue.queue_arn
        self.function = PowertoolsFunction(
            self,
            "Function",
            package="intake",
            description="Validates order messages and writes each order once, or rejects it with a reason",
            failures_end_in="the intake queue's DLQ, after SQS redelivers the message "
            f"{settings.max_receive_count} times",
            defaults=defaults,
            timeout_seconds=INTAKE_TIMEOUT_SECONDS,
            environment={"TABLE_NAME": table.table_name, "REJECTED_QUEUE_URL": self.rejected_queue.queue.queue_url},
        )
        self.function.allow(table.table_arn, "dynamodb:PutItem", "dynamodb:GetItem")
        self.rejected_queue.queue.grant_send_messages(self.function.role)
        self.customer_lookup = PowertoolsFunction(
            self,
            "CustomerLookup",
            package="customer_snapshot",
            description="Attaches each order message's customer snapshot, one batched read per pipe batch",
            failures_end_in="the intake queue's DLQ: a failed lookup fails the batch, which SQS redelivers "
            f"{settings.max_receive_count} times",
            defaults=defaults,
            timeout_seconds=10,
            environment={"TABLE_NAME": table.table_name},
        )
        self.customer_lookup.allow(table.table_arn, "dynamodb:BatchGetItem")

        self.log_group = defaults.log_group(self, "PipeLogGroup")
        self.pipe = pipe_with_role(
            self,
            "Pipe",
            role_description="The intake pipe: reads the intake queue, invokes intake",
            description="Order messages from producers to the validating intake Lambda",
            source=pipes_sources.SqsSource(
                self.queue,
                batch_size=settings.batch_size,
                maximum_batching_window=Duration.seconds(settings.maximum_batching_window_seconds),
            ),
            filter=pipes.Filter([pipes.FilterPattern.from_object(p) for p in intake_filter_patterns()]),
            enrichment=pipes_enrichments.LambdaEnrichment(self.customer_lookup.function),
            # No input template: the function gets the SQS records as Pipes reads them (the batch as a JSON array),
            # which is what Powertools' SQS batch processing takes. A template could not be valid JSON for every
            # body: `$.body` is an object when the body is JSON and a string otherwise, and the Pipes guide says to
            # quote a placeholder that resolves to a string but not one that resolves to an object
            # (docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
            target=pipes_targets.LambdaFunction(
                self.function.function,
                invocation_type=pipes_targets.LambdaFunctionInvocationType.REQUEST_RESPONSE,
            ),
            log_destinations=[pipes.CloudwatchLogsLogDestination(self.log_group)],
            log_level=pipes.LogLevel(settings.log_level),
        )
        acknowledge_invoke_of_versions(self.pipe.pipe_role, self.function.function, "the intake pipe")
        acknowledge_invoke_of_versions(self.pipe.pipe_role, self.customer_lookup.function, "the intake pipe")
