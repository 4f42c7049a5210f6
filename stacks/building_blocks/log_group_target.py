"""A CloudWatch Logs rule target without the custom resource that aws-events-targets' LogGroup installs.

The log group's resource policy is written as a plain AWS::Logs::ResourcePolicy, scoped to this log group.
"""

from __future__ import annotations

import jsii
from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.interfaces.aws_events import IRuleRef


@jsii.implements(events.IRuleTarget)
class LogGroupTarget:
    def __init__(self, log_group: logs.LogGroup, *, dead_letter_queue: sqs.IQueue, retry_attempts: int,
                 max_event_age: Duration) -> None:  # fmt: skip
        self._log_group = log_group
        self._dead_letter_queue = dead_letter_queue
        self._retry_attempts = retry_attempts
        self._max_event_age = max_event_age

    def bind(self, rule: IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        # EventBridge sends the rule as aws:SourceArn (its resource policy page and confused-deputy page:
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-cloudwatchlogs-permissions
        # https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
        # What CloudWatch Logs' delivery service sends is not documented: IfExists, which holds either way.
        stack = Stack.of(self._log_group)
        self._log_group.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self._log_group.log_group_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.rule_ref.rule_arn}},
            )
        )
        self._log_group.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self._log_group.log_group_arn],
                conditions={
                    "StringEqualsIfExists": {"aws:SourceAccount": stack.account},
                    "ArnLikeIfExists": {
                        "aws:SourceArn": f"arn:{stack.partition}:events:{stack.region}:{stack.account}:rule/*"
                    },
                },
            )
        )
        self._dead_letter_queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self._dead_letter_queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": rule.rule_ref.rule_arn}},
            )
        )
        return events.RuleTargetConfig(
            arn=Stack.of(self._log_group).format_arn(
                service="logs",
                resource="log-group",
                resource_name=self._log_group.log_group_name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            ),
            dead_letter_config=events.CfnRule.DeadLetterConfigProperty(arn=self._dead_letter_queue.queue_arn),
            retry_policy=events.CfnRule.RetryPolicyProperty(
                maximum_retry_attempts=self._retry_attempts,
                maximum_event_age_in_seconds=int(self._max_event_age.to_seconds()),
            ),
            target_resource=self._log_group,
        )
