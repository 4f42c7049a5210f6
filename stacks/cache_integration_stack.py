"""CacheIntegration: order changes kept in a Momento cache and published on a Momento topic, with no Lambda.

EventBridge API destinations call Momento's HTTP API. The API key lives in a Secrets Manager secret created outside
the stack (its name is in the environment config); templates carry only a dynamic reference to it.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import SecretValue, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.building_blocks.bus_rules import consumer_rule, table_events
from stacks.building_blocks.service_roles import rule_target_role
from stacks.config import CacheSettings

ORDER_ID = "$.detail.metadata.entityId"
# The cached value: a compact view of the order (no keys, no internal attributes). Only fields every order has:
# an input transformer drops a variable whose path is missing, which would leave invalid JSON behind.
ORDER_VIEW = {
    "orderId": ORDER_ID,
    "status": "$.detail.data.status",
    "customerId": "$.detail.data.customerId",
    "currency": "$.detail.data.currency",
    "totalMinor": "$.detail.data.totalMinor",
    "lineItems": "$.detail.data.lineItems",
    "updatedAt": "$.detail.metadata.occurredAt",
    "eventId": "$.detail.metadata.eventId",
}
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
        alarm_topic: sns.ITopic,
        settings: CacheSettings,
        acting_region: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`acting_region`: with a standby region, its rules act only on events this region published."""
        super().__init__(scope, construct_id, **kwargs)
        self._acting_region = acting_region
        self.connection = events.Connection(
            self,
            "MomentoConnection",
            description="Momento HTTP API, authorized by the API key in Secrets Manager",
            authorization=events.Authorization.api_key(
                "Authorization", SecretValue.secrets_manager(settings.api_key_secret_name)
            ),
        )
        cache_url = f"{settings.endpoint}/cache/{settings.cache_name}"
        self.cache_set = self._destination("CacheSet", cache_url, events.HttpMethod.PUT, settings)
        self.cache_delete = self._destination("CacheDelete", cache_url, events.HttpMethod.DELETE, settings)
        self.topic_publish = self._destination(
            "TopicPublish",
            f"{settings.endpoint}/topics/{settings.cache_name}/{settings.topic_name}",
            events.HttpMethod.POST,
            settings,
        )

        self._rule(
            "OrderCacheSetRule",
            bus,
            alarm_topic,
            description="Created or updated orders into the cache (never replays)",
            detail_types=["OrderCreated", "OrderUpdated"],
            # Only an order with a status: an item written with its keys alone would fill the entry with nulls.
            detail={"data": {"status": [{"exists": True}]}},
            target_destination=self.cache_set,
            body=from_paths(ORDER_VIEW),
            query={"key": ORDER_ID, "ttl_seconds": str(settings.ttl_seconds)},
        )
        self._rule(
            "OrderCacheDeleteRule",
            bus,
            alarm_topic,
            description="Deleted orders out of the cache (never replays)",
            detail_types=["OrderDeleted"],
            target_destination=self.cache_delete,
            body=from_paths({"orderId": ORDER_ID}),
            query={"key": ORDER_ID},
        )
        self._rule(
            "OrderTopicRule",
            bus,
            alarm_topic,
            description="Every order change published on the Momento topic (never replays)",
            detail_types=["OrderCreated", "OrderUpdated", "OrderDeleted"],
            target_destination=self.topic_publish,
            body=from_paths(ORDER_CHANGE),
            query={},
            # Momento's topic publish takes text/plain or application/octet-stream, and API destinations send
            # application/json unless the target sets a Content-Type; a 4xx is not retried, so it would go straight to
            # the DLQ (docs.momentohq.com, "HTTP API Reference for Momento Topics").
            headers={"Content-Type": "text/plain"},
        )

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

    def _rule(
        self,
        construct_id: str,
        bus: events.IEventBus,
        alarm_topic: sns.ITopic,
        *,
        description: str,
        detail_types: list[str],
        target_destination: events.ApiDestination,
        body: events.RuleTargetInput,
        query: dict[str, str],
        headers: dict[str, str] | None = None,
        detail: dict[str, object] | None = None,
    ) -> events.Rule:
        return consumer_rule(
            self,
            construct_id,
            bus=bus,
            event_pattern=table_events(*detail_types, detail=detail),
            description=description,
            target=lambda reliable: targets.ApiDestination(
                target_destination,
                event_role=rule_target_role(self, f"{construct_id}TargetRole", description=description),
                event=body,
                query_string_parameters=query or None,
                header_parameters=headers,
                **reliable,
            ),
            holds=f"order events {construct_id} could not deliver to Momento",
            alarm_topic=alarm_topic,
            acting_region=self._acting_region,
        ).rule
