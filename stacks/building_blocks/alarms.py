"""Alarms that notify the alarm topic; missing data means nothing happened, which is healthy."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct


def notify_when_at_least(
    scope: Construct,
    construct_id: str,
    *,
    metric: cloudwatch.IMetric,
    threshold: float,
    description: str,
    topic: sns.ITopic,
) -> cloudwatch.Alarm:
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=threshold,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return alarm


ONE_MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)


def backlog_alarm(
    scope: Construct, construct_id: str, *, queue: sqs.IQueue, max_age_seconds: int, description: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    """The oldest message has waited too long: the consumer is down, failing or too slow."""
    return notify_when_at_least(
        scope,
        construct_id,
        metric=queue.metric_approximate_age_of_oldest_message(period=ONE_MINUTE, statistic=cloudwatch.Stats.MAXIMUM),
        threshold=max_age_seconds,
        description=description,
        topic=topic,
    )
