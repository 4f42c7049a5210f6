"""Intake: the producers' queue, the pipe to the validating intake Lambda, the rejected-messages queue.

Its own stack because the intake queue's URL is a contract with producers: deploying a change to the workflow
never touches the queue producers write to (docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.order_intake import OrderIntake
from stacks.config import IntakeSettings
from stacks.names import Output


class IntakeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        alarm_topic: sns.ITopic,
        settings: IntakeSettings,
        defaults: EnvironmentDefaults,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.intake = OrderIntake(
            self, "Intake", table=table, settings=settings, defaults=defaults, alarm_topic=alarm_topic
        )
        CfnOutput(self, Output.INTAKE_QUEUE_URL, value=self.intake.queue.queue_url)
        CfnOutput(self, Output.REJECTED_QUEUE_URL, value=self.intake.rejected_queue.queue.queue_url)
