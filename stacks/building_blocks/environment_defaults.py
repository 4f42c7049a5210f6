"""Per-environment values that every function and log group of an environment shares."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from stacks.building_blocks.lambda_runtime import WheelPlatform


@dataclass(frozen=True)
class EnvironmentDefaults:
    """Per-environment values shared by every function and log group; built once in orders_app from the config."""

    log_retention: logs.RetentionDays
    removal_policy: RemovalPolicy
    log_level: str
    layer_wheels: WheelPlatform
    tracing: str = "ACTIVE"  # lambda Tracing: ACTIVE or PASS_THROUGH

    def log_group(
        self, scope: Construct, construct_id: str, log_group_class: logs.LogGroupClass | None = None
    ) -> logs.LogGroup:
        return logs.LogGroup(scope, construct_id, retention=self.log_retention, removal_policy=self.removal_policy,
                             log_group_class=log_group_class)  # fmt: skip
