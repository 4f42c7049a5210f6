"""The order-processing state machine with its two Powertools functions, its log group and its alarm."""

from __future__ import annotations

from aws_cdk import Duration, Names
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_xray as xray
from constructs import Construct

from stacks.building_blocks.alarms import FIVE_MINUTES, notify_when_at_least
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.nag import acknowledge, acknowledge_invoke_of_versions
from stacks.building_blocks.order_workflow_definition import OrderWorkflowDefinition
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.config import WorkflowSettings

# Fits an Express workflow (5 minutes at most) with room for every retry.
WORKFLOW_TIMEOUT = Duration.minutes(5)


class OrderWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITableV2,
        settings: WorkflowSettings,
        defaults: EnvironmentDefaults,
        alarm_topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, construct_id)
        self.process_order = self._task_function(
            "ProcessOrder",
            "process_order",
            "Validates an order, reads its customer, computes totals, plans the stock reservation",
            table,
            defaults,
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
        )
        # It books the shipment and returns it; MarkShipped records it on the order (decision 29): no table access.
        self.ship_order = self._task_function(
            "ShipOrder",
            "ship_order",
            "Books the shipment of a reserved order (its id derived from the order's)",
            None,
            defaults,
        )

        definition = OrderWorkflowDefinition(
            self,
            "Definition",
            table=table,
            process_order=self.process_order.function,
            ship_order=self.ship_order.function,
        )
        self.log_group = defaults.log_group(self, "LogGroup")
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            comment="Order processing: ProcessOrder -> CheckInventory -> ShipOrder, with compensation",
            definition_body=sfn.DefinitionBody.from_chainable(definition.start),
            state_machine_type=sfn.StateMachineType[settings.type],
            timeout=WORKFLOW_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=self.log_group,
                level=sfn.LogLevel[settings.log_level],
                include_execution_data=settings.include_execution_data,
            ),
        )
        if settings.traced_share < 1:
            self._sampled(settings.traced_share)
        self.failed_executions_alarm = notify_when_at_least(
            self,
            "ExecutionsFailedAlarm",
            metric=self.state_machine.metric_failed(period=FIVE_MINUTES),
            threshold=1,
            description="Order workflow executions failed: their orders are FAILED (stock released) or need a look.",
            topic=alarm_topic,
        )
        self.timed_out_alarm = notify_when_at_least(
            self,
            "ExecutionsTimedOutAlarm",
            metric=self.state_machine.metric_timed_out(period=FIVE_MINUTES),
            threshold=1,
            description="Order workflow executions timed out: their orders stay open; the order sweeper restarts them.",
            topic=alarm_topic,
        )
        self._acknowledge_wildcards()
        if settings.log_level != "ALL":
            acknowledge(
                self.state_machine,
                "AwsSolutions::AwsSolutions-SF1",
                "An order's history is the event store's (every status change, with the execution that made it: "
                "`ops.orders show`); CloudWatch Logs gets the executions that fail, not a paid copy of every step "
                "(docs/decisions.md, 22 and 27).",
            )

    def _sampled(self, share: float) -> None:
        """X-Ray keeps `share` of the executions (Step Functions applies X-Ray's sampling rules to the executions it
        traces: docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html). Matched by the state machine's
        name and type; were X-Ray to match it otherwise, its default rule applies (one a second, then 5 %): tracing
        works either way, and only the cost differs (decision 27)."""
        xray.CfnSamplingRule(
            self,
            "SamplingRule",
            sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                rule_name=Names.unique_resource_name(self, max_length=32),
                priority=100,
                fixed_rate=share,
                reservoir_size=0,
                service_name=self.state_machine.state_machine_name,
                service_type="AWS::StepFunctions::StateMachine",
                host="*",
                http_method="*",
                url_path="*",
                resource_arn="*",
                version=1,
            ),
        )

    def _task_function(
        self,
        construct_id: str,
        package: str,
        description: str,
        table: dynamodb.ITableV2 | None,
        defaults: EnvironmentDefaults,
        *table_actions: str,
    ) -> PowertoolsFunction:
        """A function the workflow invokes as a task: with a table, it reads TABLE_NAME and may do `table_actions`
        on it; without one, it has no access to any."""
        function = PowertoolsFunction(
            self,
            construct_id,
            package=package,
            description=description,
            failures_end_in="the order workflow's Catch states (order FAILED, execution failed and alarmed)",
            defaults=defaults,
            environment={"TABLE_NAME": table.table_name} if table else {},
        )
        if table:
            function.allow(table.table_arn, *table_actions)
        return function

    def _acknowledge_wildcards(self) -> None:
        role = self.state_machine.role
        for function in (self.process_order.function, self.ship_order.function):
            acknowledge_invoke_of_versions(role, function, "the order workflow")
        acknowledge(
            role,
            "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs delivery (logs:*LogDelivery, resource policies), X-Ray trace submission and "
            "cloudwatch:PutMetricData (the AlreadyHandled count) support no resource-level permissions.",
        )
