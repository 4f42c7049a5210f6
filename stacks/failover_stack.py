"""Failover, in the primary region: an EventBridge global endpoint over the two regions' buses, with event
replication where the environment keeps it (`eventReplication`), routed by a Route 53 health check on the primary's
EventBridge latency.

The pattern is the one the EventBridge guide documents for global endpoints: a CloudWatch alarm on
`AWS/Events IngestionToInvocationStartLatency` (average above 30 s for 5 minutes), a `CLOUDWATCH_METRIC` health
check on it, and an endpoint that fails over to the secondary region while the check is unhealthy
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-ge-cfn.html). Producers that put events through the
endpoint (its URL is an output) follow without changing code. The stream pipes do not: they put events on their own
region's bus, and moving them is the operator's step (docs/runbook.md, "Fail over to the standby region").
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.building_blocks.nag import acknowledge
from stacks.building_blocks.service_roles import service_role
from stacks.names import FailoverOutput

HEALTH_PERIOD = Duration.minutes(1)
HEALTH_EVALUATION_PERIODS = 5
HEALTH_LATENCY_THRESHOLD_MS = 30_000
MANAGED_RULE_PREFIX = "GlobalEndpointManagedRule-"


class FailoverStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        primary_bus: events.IEventBus,
        secondary_bus: events.IEventBus,
        bus_name: str,
        secondary_region: str,
        alarm_topic: sns.ITopic,
        replication: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.health_alarm = self._health_alarm(alarm_topic)
        self.health_check = route53.HealthCheck(
            self,
            "PrimaryHealthCheck",
            type=route53.HealthCheckType.CLOUDWATCH_METRIC,
            alarm_identifier=route53.AlarmIdentifier(region=self.region, name=self.health_alarm.alarm_name),
            # Few events at night leave the metric without data; the guide's template keeps the last known status
            # then, rather than failing over for quiet.
            insufficient_data_health_status=route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
        )
        self.replication_role = (
            self._replication_role(primary_bus, secondary_bus, bus_name, secondary_region) if replication else None
        )
        self.endpoint = events.CfnEndpoint(
            self,
            "GlobalEndpoint",
            description="Orders events: the primary region's bus, the secondary's while the primary is unhealthy",
            event_buses=[
                events.CfnEndpoint.EndpointEventBusProperty(event_bus_arn=primary_bus.event_bus_arn),
                events.CfnEndpoint.EndpointEventBusProperty(event_bus_arn=secondary_bus.event_bus_arn),
            ],
            routing_config=events.CfnEndpoint.RoutingConfigProperty(
                failover_config=events.CfnEndpoint.FailoverConfigProperty(
                    primary=events.CfnEndpoint.PrimaryProperty(
                        health_check=f"arn:{self.partition}:route53:::healthcheck/{self.health_check.health_check_id}"
                    ),
                    secondary=events.CfnEndpoint.SecondaryProperty(route=secondary_region),
                )
            ),
            # Replication sends every custom event to both buses (managed rules), which the guide recommends
            # (eb-ge-best-practices.html): the secondary's consumers stay exercised, and recovery back to the
            # primary is automatic. The app's own rules ignore the other region's copies, so an environment may turn
            # it off (`eventReplication`, docs/decisions.md 31); the endpoint then takes no role.
            replication_config=events.CfnEndpoint.ReplicationConfigProperty(
                state="ENABLED" if replication else "DISABLED"
            ),
            role_arn=self.replication_role.role_arn if self.replication_role else None,
        )
        CfnOutput(self, FailoverOutput.GLOBAL_ENDPOINT_URL, value=self.endpoint.attr_endpoint_url)
        CfnOutput(self, FailoverOutput.GLOBAL_ENDPOINT_ID, value=self.endpoint.attr_endpoint_id)
        CfnOutput(self, FailoverOutput.HEALTH_CHECK_ID, value=self.health_check.health_check_id)

    def _health_alarm(self, alarm_topic: sns.ITopic) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            "PrimaryHealthAlarm",
            alarm_description=(
                "EventBridge in the primary region takes more than 30 s to start delivering events: the global "
                "endpoint routes producers' events to the secondary region while this lasts (docs/runbook.md)."
            ),
            metric=cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name="IngestionToInvocationStartLatency",
                statistic=cloudwatch.Stats.AVERAGE,
                period=HEALTH_PERIOD,
            ),
            threshold=HEALTH_LATENCY_THRESHOLD_MS,
            evaluation_periods=HEALTH_EVALUATION_PERIODS,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.MISSING,
        )
        alarm.add_alarm_action(actions.SnsAction(alarm_topic))
        alarm.add_ok_action(actions.SnsAction(alarm_topic))
        return alarm

    def _replication_role(
        self, primary_bus: events.IEventBus, secondary_bus: events.IEventBus, bus_name: str, secondary_region: str
    ) -> iam.Role:
        """What EventBridge needs to replicate: put events on both buses and manage its replication rules on them
        (named `GlobalEndpointManagedRule-*`)."""
        # What EventBridge sends as aws:SourceArn here (the endpoint, or its managed rules in either region) is not
        # documented: the trust names only this account.
        role = service_role(
            self,
            "ReplicationRole",
            service="events.amazonaws.com",
            description="EventBridge global endpoint: replicates orders events between the two regions' buses",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["events:PutEvents"], resources=[primary_bus.event_bus_arn, secondary_bus.event_bus_arn]
            )
        )
        # Both buses have `bus_name` (a global endpoint requires it); the rules live on them.
        managed_rules = [
            f"arn:{self.partition}:events:{region}:{self.account}:rule/{bus_name}/{MANAGED_RULE_PREFIX}*"
            for region in (self.region, secondary_region)
        ]
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["events:PutRule", "events:PutTargets", "events:DeleteRule", "events:RemoveTargets"],
                resources=managed_rules,
            )
        )
        partition = "<AWS::Partition>" if Token.is_unresolved(self.partition) else self.partition
        for region in (self.region, secondary_region):
            acknowledge(
                role,
                f"AwsSolutions::AwsSolutions-IAM5[Resource::arn:{partition}:events:{region}:<AWS::AccountId>:"
                f"rule/{bus_name}/{MANAGED_RULE_PREFIX}*]",
                f"EventBridge names its replication rules {MANAGED_RULE_PREFIX}<id>: the role may manage only those, "
                f"on the orders bus in {region}.",
            )
        return role
