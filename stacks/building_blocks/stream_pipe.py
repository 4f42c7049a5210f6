"""The one reader of the table's stream: a pipe that turns every entity change into an event on the bus.

What Pipes does with the enrichment's output (AWS EventBridge user guide, checked for this construct):
- Enrichment is invoked synchronously (REQUEST_RESPONSE) with the batch as one JSON array, even for a batch of 1;
  its response is passed directly to the target, and an array response is mapped onto the target's batch API.
- "For targets, the event payload is what is returned from the enrichment" (Pipes input transformation), and
  target parameters accept dynamic JSON paths "replaced dynamically at runtime with data from the event payload
  itself"; they cannot reference values produced by an input transformation. So `Source` and `DetailType` below
  read `$.metadata.source` / `$.metadata.detailType` of each enriched element (no input template is used), and
  the element itself becomes the event's `detail`. `Time` reads `$.metadata.occurredTime` the same way (the Pipes
  API takes only a JSON path there), so an event's time is when its change happened.
- An event bus target takes at most 10 events per batch; the source batch size is capped at 10 by the config.
- Partial batch failure is not supported for enrichments: a failing enrichment fails the batch, which the stream
  source retries, bisects (AUTOMATIC_BISECT) and, past MaximumRetryAttempts/MaximumRecordAgeInSeconds, sends to
  the DLQ. For a stream source the DLQ receives the batch's shard and sequence-number range, not the record data.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_pipes_alpha as pipes
from aws_cdk import aws_pipes_enrichments_alpha as pipes_enrichments
from aws_cdk import aws_pipes_sources_alpha as pipes_sources
from aws_cdk import aws_pipes_targets_alpha as pipes_targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.shared.entities import ENTITIES
from lambdas.shared.metric_names import Metric
from stacks.building_blocks.alarms import FIVE_MINUTES, notify_when_at_least
from stacks.building_blocks.dead_letter_queue import DeadLetterKind, DeadLetterQueue
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.nag import acknowledge_invoke_of_versions
from stacks.building_blocks.powertools_function import METRICS_NAMESPACE, PowertoolsFunction
from stacks.building_blocks.service_roles import pipe_with_role
from stacks.config import StreamPipeSettings


def stream_filter_patterns() -> list[dict[str, object]]:
    """Known entity kinds only, and never a TTL expiry (a REMOVE made by the DynamoDB service itself).

    The enrichment validates again: this filter saves invocations, it is not the validation.
    """
    known_keys = {"Keys": {"pk": {"S": [{"prefix": entity.key_prefix} for entity in ENTITIES]}}}
    return [
        {"eventName": ["INSERT", "MODIFY"], "dynamodb": known_keys},
        # A user's delete has no userIdentity; a TTL expiry has userIdentity.type "Service".
        {"eventName": ["REMOVE"], "userIdentity": {"type": [{"exists": False}]}, "dynamodb": known_keys},
    ]


class StreamToBusPipe(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        bus: events.IEventBus,
        settings: StreamPipeSettings,
        defaults: EnvironmentDefaults,
        alarm_topic: sns.ITopic,
        running: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = DeadLetterQueue(
            self,
            "DeadLetterQueue",
            holds="stream batches the pipe gave up on",
            alarm_topic=alarm_topic,
            kind=DeadLetterKind.STREAM_PIPE,
        )
        self.enrichment = PowertoolsFunction(
            self,
            "Enrichment",
            package="enrichment",
            description="Turns DynamoDB stream records into domain-event envelopes for the bus",
            failures_end_in="the stream pipe's DLQ, after the pipe's bounded retries",
            defaults=defaults,
            timeout_seconds=30,
        )
        self.log_group = defaults.log_group(self, "LogGroup")
        self.pipe = pipe_with_role(
            self,
            "Pipe",
            role_description="The stream pipe: reads the table's stream, publishes to the bus",
            description="The one reader of the orders table stream: entity changes to domain events",
            source=pipes_sources.DynamoDBSource(
                table,
                starting_position=pipes_sources.DynamoDBStartingPosition(settings.starting_position),
                batch_size=settings.batch_size,
                maximum_batching_window=Duration.seconds(settings.maximum_batching_window_seconds),
                maximum_retry_attempts=settings.maximum_retry_attempts,
                maximum_record_age=Duration.seconds(settings.maximum_record_age_seconds),
                on_partial_batch_item_failure=pipes_sources.OnPartialBatchItemFailure.AUTOMATIC_BISECT,
                parallelization_factor=settings.parallelization_factor,
                dead_letter_target=self.dead_letter_queue.queue,
            ),
            filter=pipes.Filter([pipes.FilterPattern.from_object(pattern) for pattern in stream_filter_patterns()]),
            enrichment=pipes_enrichments.LambdaEnrichment(self.enrichment.function),
            target=pipes_targets.EventBridgeTarget(
                bus,
                source="$.metadata.source",
                detail_type="$.metadata.detailType",
                time="$.metadata.occurredTime",
                resources=[table.table_arn],
            ),
            log_destinations=[pipes.CloudwatchLogsLogDestination(self.log_group)],
            log_level=pipes.LogLevel(settings.log_level),
            # Never the execution data: it holds the stream records' images, personal fields included, which no log
            # may hold (lambdas/shared/personal_data.py, docs/decisions.md 33). The log says what failed and where.
            # A standby region's pipe is deployed stopped: both regions' pipes running would publish every change
            # twice (each replica has its own stream). Failing over starts it (docs/runbook.md).
            desired_state=None if running else pipes.DesiredState.STOPPED,
        )
        self.dead_letter_queue.source_arn = self.pipe.pipe_arn
        acknowledge_invoke_of_versions(self.pipe.pipe_role, self.enrichment.function, "the stream pipe")
        self.failed_executions_alarm = notify_when_at_least(
            self,
            "ExecutionFailedAlarm",
            metric=self.pipe_metric("ExecutionFailed"),
            threshold=1,
            description="The stream pipe failed executions: records are being retried and may end in its DLQ.",
            topic=alarm_topic,
        )
        self.record_age_alarm = notify_when_at_least(
            self,
            "RecordAgeAlarm",
            metric=self.record_age_metric(),
            threshold=settings.maximum_record_age_seconds // 2,
            description="Stream records wait half the pipe's maximum record age: the shard is stuck or far behind; "
            "past the maximum they reach the DLQ as pointers (docs/runbook.md).",
            topic=alarm_topic,
        )

    def record_age_metric(self) -> cloudwatch.Metric:
        """The oldest change of each batch the enrichment sees (Pipes publishes no record age of its own)."""
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=Metric.STREAM_RECORD_AGE.value,
            dimensions_map={"service": "enrichment"},
            statistic=cloudwatch.Stats.MAXIMUM,
            period=FIVE_MINUTES,
        )

    def pipe_metric(self, metric_name: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/EventBridge/Pipes",
            metric_name=metric_name,
            dimensions_map={"PipeName": self.pipe.pipe_name},
            statistic=cloudwatch.Stats.SUM,
            period=FIVE_MINUTES,
        )
