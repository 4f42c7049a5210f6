"""Composes every stack of one environment; shared by app.py and the tests so both synthesize the same app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import App, Environment, RemovalPolicy, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks.building_blocks.dead_letter_queue import DeadLetterQueue, publish_dead_letter_queues
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.lambda_runtime import LAMBDA_WHEELS, host_wheels
from stacks.building_blocks.operations_dashboard import OperationsDashboard, Watched
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.building_blocks.retention import LOG_RETENTION
from stacks.cache_integration_stack import CacheIntegrationStack
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.event_fabric_stack import EventFabricStack
from stacks.event_store_stack import EventStoreStack
from stacks.intake_stack import IntakeStack
from stacks.names import Component, stack_name
from stacks.workflows_stack import WorkflowsStack

APPLICATION_TAG = "orders"


@dataclass(frozen=True)
class OrdersStacks:
    data: DataStack
    fabric: EventFabricStack
    intake: IntakeStack
    workflows: WorkflowsStack
    event_store: EventStoreStack
    cache: CacheIntegrationStack

    def all(self) -> list[Stack]:
        return [self.data, self.fabric, self.intake, self.workflows, self.event_store, self.cache]


class _StackProps:
    """Name, environment, tags and description every stack of one environment gets."""

    def __init__(self, app: App, config: EnvironmentConfig) -> None:
        self._app = app
        self._config = config
        self._env = Environment(account=config.account, region=config.region)
        self._tags = {"application": APPLICATION_TAG, "environment": config.name}

    def __call__(self, component: Component, purpose: str) -> dict[str, Any]:
        return {
            "scope": self._app,
            "construct_id": stack_name(self._config.name, component),
            "env": self._env,
            "tags": self._tags,
            "description": f"Orders ({self._config.name}): {purpose}",
        }


def build_orders_app(app: App, config: EnvironmentConfig) -> OrdersStacks:
    stack = _StackProps(app, config)
    defaults = EnvironmentDefaults(
        log_retention=LOG_RETENTION[config.log_retention_days],
        removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        log_level=config.lambda_log_level,
        layer_wheels=host_wheels() if config.local_cloud else LAMBDA_WHEELS,
    )

    data = DataStack(
        **stack(Component.DATA, "the single table and its stream, the source of truth"),
        retain_data=config.retain_data,
    )
    fabric = EventFabricStack(
        **stack(Component.EVENT_FABRIC, "event bus, archive, the stream pipe with its enrichment, DLQs, alarms"),
        table=data.table,
        stream_pipe=config.stream_pipe,
        archive_retention_days=config.archive_retention_days,
        alarm_email=config.alarm_email,
        defaults=defaults,
    )

    intake = IntakeStack(
        **stack(Component.INTAKE, "the producers' intake queue, its pipe to the validating Lambda, rejections"),
        table=data.table,
        alarm_topic=fabric.alarm_topic,
        settings=config.intake,
        defaults=defaults,
    )

    workflows = WorkflowsStack(
        **stack(Component.WORKFLOWS, "the order workflow (Step Functions) started by OrderCreated, high-value review"),
        table=data.table,
        bus=fabric.bus,
        alarm_topic=fabric.alarm_topic,
        workflow=config.workflow,
        defaults=defaults,
    )

    event_store = EventStoreStack(
        **stack(Component.EVENT_STORE, "every bus event stored once, queryable by aggregate, type and time"),
        bus=fabric.bus,
        alarm_topic=fabric.alarm_topic,
        settings=config.event_store,
        retain_data=config.retain_data,
        defaults=defaults,
    )

    cache = CacheIntegrationStack(
        **stack(
            Component.CACHE_INTEGRATION, "order changes kept in a Momento cache and topic through API destinations"
        ),
        bus=fabric.bus,
        alarm_topic=fabric.alarm_topic,
        settings=config.cache,
    )

    stacks = OrdersStacks(
        data=data, fabric=fabric, intake=intake, workflows=workflows, event_store=event_store, cache=cache
    )
    for built in stacks.all():
        publish_dead_letter_queues(built)
    _operations_dashboard(stacks, config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stacks


def _operations_dashboard(stacks: OrdersStacks, config: EnvironmentConfig) -> None:
    """In the Workflows stack, which owns the most of what it shows (the rest it reads from the other stacks)."""

    def every(kind: type[Any]) -> list[Any]:
        return [c for stack in stacks.all() for c in stack.node.find_all() if isinstance(c, kind)]

    OperationsDashboard(
        stacks.workflows,
        "OperationsDashboard",
        dashboard_name=f"Orders-{config.name}",
        watched=Watched(
            stream_pipe=stacks.fabric.stream_pipe,
            bus_name=stacks.fabric.bus.event_bus_name,
            state_machine=stacks.workflows.order_workflow.state_machine,
            dead_letter_queues=every(DeadLetterQueue),
            functions=every(PowertoolsFunction),
            maximum_record_age_seconds=config.stream_pipe.maximum_record_age_seconds,
        ),
    )
