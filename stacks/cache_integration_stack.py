"""CacheIntegration: each order's current state kept in a Momento cache, and every order change published on a Momento
topic.

The cache is kept by a small function, not by API destinations: Momento's HTTP API has no conditional put, and
EventBridge does not keep order, so an API destination that puts each event's data lets a late or replayed change
overwrite a newer entry. Each order event goes to the sync's SQS buffer, and the function caches the order as the
table holds it (lambdas/cache_sync/sync.py; docs/decisions.md, 34). The topic stays an API destination: a
notification of each change, in the order they arrive, is what a topic is.

The API key lives in a Secrets Manager secret created outside the stack (its name is in the environment config):
templates carry only a dynamic reference to it, and the function reads it at run time.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, SecretValue, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.cache_sync.view import PARTITION_KEY_PREFIX, PROJECTED_ATTRIBUTES
from stacks.building_blocks.buffered_function import Buffer, alarmed_buffer, drain
from stacks.building_blocks.bus_rules import consumer_rule, table_events
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.building_blocks.service_roles import rule_target_role
from stacks.config import CacheSettings
from stacks.names import Output

SYNC_TIMEOUT_SECONDS = 20  # a batch of 10 orders, each two reads and a put of a few milliseconds
SYNC_MAX_RECEIVE_COUNT = 5
SYNC_BATCH_SIZE = 10
# A second of batching: the cache is read by people waiting on an order; at prod's traffic a batch is still full.
SYNC_BATCHING_WINDOW_SECONDS = 1
SYNC_MAX_CONCURRENCY = 5
SYNC_BACKLOG_MAX_AGE_SECONDS = 300
SYNC_BUFFER = Buffer(
    construct_id="SyncBuffer",
    dead_letter_id="SyncBufferDeadLetterQueue",
    alarm_id="SyncBufferBacklogAgeAlarm",
    max_receive_count=SYNC_MAX_RECEIVE_COUNT,
    function_timeout_seconds=SYNC_TIMEOUT_SECONDS,
    max_age_seconds=SYNC_BACKLOG_MAX_AGE_SECONDS,
    holds=f"order events whose order the cache sync failed to cache {SYNC_MAX_RECEIVE_COUNT} times",
    waits="Order changes wait too long to reach the cache: is Momento down or the sync failing?",
)

ORDER_ID = "$.detail.metadata.entityId"
# The topic message: metadata only, which a deleted order (whose `data` is null) has too.
ORDER_CHANGE = {
    "orderId": ORDER_ID,
    "change": "$.detail.metadata.change",
    "detailType": "$.detail-type",
    "occurredAt": "$.detail.metadata.occurredAt",
    "eventId": "$.detail.metadata.eventId",
    "correlationId": "$.detail.metadata.correlationId",
}


def from_paths(fields: dict[str, str]) -> events.RuleTargetInput:
    return events.RuleTargetInput.from_object(
        {name: events.EventField.from_path(path) for name, path in fields.items()}
    )


class CacheIntegrationStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bus: events.IEventBus,
        table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        settings: CacheSettings,
        defaults: EnvironmentDefaults,
        acting_region: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`acting_region`: with a standby region, its rules act only on events this region published. `table`: this
        region's copy of the orders table, which the sync reads."""
        super().__init__(scope, construct_id, **kwargs)
        self._acting_region = acting_region
        self.api_key_secret = secretsmanager.Secret.from_secret_name_v2(
            self, "MomentoApiKey", settings.api_key_secret_name
        )
        self.connection = events.Connection(
            self,
            "MomentoConnection",
            description="Momento HTTP API, authorized by the API key in Secrets Manager",
            authorization=events.Authorization.api_key(
                "Authorization", SecretValue.secrets_manager(settings.api_key_secret_name)
            ),
        )
        self._sync_buffer(bus, alarm_topic)
        self._sync_function(table, settings, defaults)
        # For the smoke run, which delivers an order's events newest first and sees the newest state stay cached.
        CfnOutput(self, Output.CACHE_SYNC_BUFFER_URL, value=self.sync_buffer.queue_url)
        self.topic_publish = self._destination(
            "TopicPublish",
            f"{settings.endpoint}/topics/{settings.cache_name}/{settings.topic_name}",
            events.HttpMethod.POST,
            settings,
        )
        self._topic_rule(bus, alarm_topic)

    def _sync_buffer(self, bus: events.IEventBus, alarm_topic: sns.ITopic) -> None:
        """Every order change (never replays: a replay would only sync the current state again) into the buffer."""
        self.sync_buffer, self.sync_dead_letter_queue = alarmed_buffer(self, SYNC_BUFFER, alarm_topic)
        description = "Order changes into the cache sync's buffer (never replays)"
        buffers = consumer_rule(
            self,
            "OrderCacheSyncRule",
            bus=bus,
            event_pattern=table_events("OrderCreated", "OrderUpdated", "OrderDeleted"),
            description=description,
            target=lambda reliable: targets.SqsQueue(self.sync_buffer, **reliable),
            holds="order events the rule could not buffer for the cache sync",
            alarm_topic=alarm_topic,
            acting_region=self._acting_region,
        )
        self.sync_rule = buffers.rule

    def _sync_function(self, table: dynamodb.ITableV2, settings: CacheSettings, defaults: EnvironmentDefaults) -> None:
        self.sync = PowertoolsFunction(
            self,
            "Sync",
            package="cache_sync",
            description="Caches each changed order as the table holds it (never an older state)",
            failures_end_in=f"the sync buffer's DLQ, after {SYNC_MAX_RECEIVE_COUNT} receives",
            defaults=defaults,
            timeout_seconds=SYNC_TIMEOUT_SECONDS,
            environment={
                "TABLE_NAME": table.table_name,
                "CACHE_ENDPOINT": settings.endpoint,
                "CACHE_NAME": settings.cache_name,
                "CACHE_TTL_SECONDS": str(settings.ttl_seconds),
                "CACHE_API_KEY_SECRET_NAME": settings.api_key_secret_name,
            },
        )
        # The view's attributes of order items, nothing else: the customer snapshot (personal data) stays unread.
        # `dynamodb:Attributes` is multivalued: ForAllValues holds for a request that names none, which the Null
        # check refuses (IAM User Guide, "Single-valued vs. multivalued context keys"; DynamoDB developer guide,
        # "Using IAM policy conditions for fine-grained access control").
        self.sync.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem"],
                resources=[table.table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:Attributes": list(PROJECTED_ATTRIBUTES)},
                    "Null": {"dynamodb:Attributes": "false"},
                    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{PARTITION_KEY_PREFIX}*"]},
                },
            )
        )
        self.api_key_secret.grant_read(self.sync.role)
        drain(self.sync, self.sync_buffer, batch_size=SYNC_BATCH_SIZE, window_seconds=SYNC_BATCHING_WINDOW_SECONDS,
              max_concurrency=SYNC_MAX_CONCURRENCY)  # fmt: skip

    def _destination(
        self, construct_id: str, endpoint: str, method: events.HttpMethod, settings: CacheSettings
    ) -> events.ApiDestination:
        return events.ApiDestination(
            self,
            construct_id,
            connection=self.connection,
            endpoint=endpoint,
            http_method=method,
            rate_limit_per_second=settings.invocation_rate_limit_per_second,
            description=f"Momento {method.value} {endpoint.removeprefix(settings.endpoint)}",
        )

    def _topic_rule(self, bus: events.IEventBus, alarm_topic: sns.ITopic) -> None:
        description = "Every order change published on the Momento topic (never replays)"
        consumer_rule(
            self,
            "OrderTopicRule",
            bus=bus,
            event_pattern=table_events("OrderCreated", "OrderUpdated", "OrderDeleted"),
            description=description,
            target=lambda reliable: targets.ApiDestination(
                self.topic_publish,
                event_role=rule_target_role(self, "OrderTopicRuleTargetRole", description=description),
                event=from_paths(ORDER_CHANGE),
                # Momento's topic publish takes text/plain or application/octet-stream, and API destinations send
                # application/json unless the target sets a Content-Type; a 4xx is not retried, so it would go
                # straight to the DLQ (docs.momentohq.com, "HTTP API Reference for Momento Topics").
                header_parameters={"Content-Type": "text/plain"},
                **reliable,
            ),
            holds="order events OrderTopicRule could not deliver to Momento",
            alarm_topic=alarm_topic,
            acting_region=self._acting_region,
        )
