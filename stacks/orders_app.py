"""Composes every stack of one environment; shared by app.py and the tests so both synthesize the same app.

One region's stacks are built by one function, `_region_stacks`, for the primary region and, where the environment
names a `secondaryRegion`, again for the standby: the same code with the region as a parameter. Only the Data stack
differs (the primary owns the global table; the standby reads its replica), plus the two stacks that span both: the
Failover stack and the Operations stack (one dashboard with each region's rows, in the primary region).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from aws_cdk import App, Environment, RemovalPolicy, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks.building_blocks.dead_letter_queue import STANDBY_REGION_CONTEXT, DeadLetterQueue, publish_dead_letter_queues
from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.lambda_runtime import LAMBDA_WHEELS, host_wheels
from stacks.building_blocks.operations_dashboard import Watched
from stacks.building_blocks.powertools_function import PowertoolsFunction
from stacks.building_blocks.retention import LOG_RETENTION
from stacks.cache_integration_stack import CacheIntegrationStack
from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack
from stacks.event_fabric_stack import EventFabricStack
from stacks.event_store_stack import EventStoreStack
from stacks.failover_stack import FailoverStack
from stacks.intake_stack import IntakeStack
from stacks.names import Component, bus_name, failover_stack_name, stack_name, table_name
from stacks.operations_stack import OperationsStack
from stacks.replica_data_stack import ReplicaDataStack
from stacks.workflows_stack import WorkflowsStack

APPLICATION_TAG = "orders"


@dataclass(frozen=True)
class OrdersStacks:
    """One region's stacks."""

    data: DataStack | ReplicaDataStack
    fabric: EventFabricStack
    intake: IntakeStack
    workflows: WorkflowsStack
    event_store: EventStoreStack
    cache: CacheIntegrationStack
    watched: Watched  # what the dashboard shows of this region
    operations: OperationsStack | None = None  # the environment's one dashboard: the primary region's stacks only

    def all(self) -> list[Stack]:
        stacks = [self.data, self.fabric, self.intake, self.workflows, self.event_store, self.cache]
        return stacks + ([self.operations] if self.operations else [])


@dataclass(frozen=True)
class OrdersApp:
    primary: OrdersStacks
    standby: OrdersStacks | None = None  # only with a secondaryRegion
    failover: FailoverStack | None = None

    def all(self) -> list[Stack]:
        standby = self.standby.all() if self.standby else []
        return [*self.primary.all(), *standby, *([self.failover] if self.failover else [])]


@dataclass(frozen=True)
class Placement:
    """Where one region's copy of the stacks goes and what it does there."""

    region: str | None
    standby: bool
    multi_region: bool  # the environment has a standby region
    publishes: bool  # this region's stream pipe runs


class _StackProps:
    """Name, environment, tags and description every stack of one environment gets."""

    def __init__(self, app: App, config: EnvironmentConfig) -> None:
        self._app = app
        self._config = config
        self._tags = {"application": APPLICATION_TAG, "environment": config.name}

    def __call__(self, name: str, purpose: str, placement: Placement) -> dict[str, Any]:
        # The standby's stacks have the primary's names (tools pick the region); their ids in the app differ.
        suffix = f"-{placement.region}" if placement.standby else ""
        standby = f", standby in {placement.region}" if placement.standby else ""
        return {
            "scope": self._app,
            "construct_id": f"{name}{suffix}",
            "stack_name": name,
            "env": Environment(account=self._config.account, region=placement.region),
            "tags": self._tags,
            "description": f"Orders ({self._config.name}{standby}): {purpose}",
        }


def build_orders_app(app: App, config: EnvironmentConfig) -> OrdersApp:
    if config.secondary_region:
        # Read by each DeadLetterQueue, so a standby's alarms name the region their commands must run in.
        app.node.set_context(STANDBY_REGION_CONTEXT, config.secondary_region)
    props = _StackProps(app, config)
    defaults = EnvironmentDefaults(
        log_retention=LOG_RETENTION[config.log_retention_days],
        removal_policy=RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY,
        log_level=config.lambda_log_level,
        layer_wheels=host_wheels() if config.local_cloud else LAMBDA_WHEELS,
        tracing=config.lambda_tracing,
    )
    multi_region = config.secondary_region is not None
    here = Placement(config.region, False, multi_region, publishes=config.publishing_region == config.region)
    data = DataStack(
        **props(stack_name(config.name, Component.DATA), "the single table and its stream, the source of truth", here),
        retain_data=config.retain_data,
        replica_region=config.secondary_region,
        table_name=table_name(config.name) if multi_region else None,
        kept_retired_indexes=config.keep_retired_indexes,
    )
    primary = _region_stacks(props, config, defaults, here, data)
    standby, failover = None, None
    if config.secondary_region:
        there = Placement(config.secondary_region, True, True, config.publishing_region == config.secondary_region)
        replica = ReplicaDataStack(
            **props(
                stack_name(config.name, Component.DATA), "the global table's replica, as this region uses it", there
            ),
            primary_table=data.table,
            defaults=defaults,
        )
        replica.add_stack_dependency(data, "the replica exists once the primary's global table has it")
        standby = _region_stacks(props, config, defaults, there, replica)
        failover = FailoverStack(
            **props(failover_stack_name(config.name), "global endpoint over both regions' buses, health check", here),
            primary_bus=primary.fabric.bus,
            secondary_bus=standby.fabric.bus,
            bus_name=bus_name(config.name),
            secondary_region=config.secondary_region,
            alarm_topic=primary.fabric.alarm_topic,
            replication=config.event_replication,
        )
        # The endpoint names the standby's bus by ARN (built from its fixed name): no reference orders the deploy.
        failover.add_stack_dependency(standby.fabric, "the global endpoint needs the standby's bus to exist")
    # One dashboard: the standby's rows name its resources through cross-region references, so it deploys after them.
    regions = [primary.watched] + ([standby.watched] if standby else [])
    operations = _operations(props, config, here, regions)
    orders = OrdersApp(primary=replace(primary, operations=operations), standby=standby, failover=failover)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return orders


def _region_stacks(
    props: _StackProps,
    config: EnvironmentConfig,
    defaults: EnvironmentDefaults,
    placement: Placement,
    data: DataStack | ReplicaDataStack,
) -> OrdersStacks:
    def named(component: Component, purpose: str) -> dict[str, Any]:
        return props(stack_name(config.name, component), purpose, placement)

    acting_region = placement.region if placement.multi_region else None
    fabric = EventFabricStack(
        **named(
            Component.EVENT_FABRIC,
            "event bus, archive, schema registry, the stream pipe with its enrichment, DLQs, alarms",
        ),
        table=data.table,
        stream_pipe=config.stream_pipe,
        archive_retention_days=config.archive_retention_days,
        alarm_email=config.alarm_email,
        defaults=defaults,
        bus_name=bus_name(config.name) if placement.multi_region else None,
        pipe_running=placement.publishes,
        schema_registry=not config.local_cloud,  # MiniStack has no EventSchemas API
        recording_region=acting_region,
        cross_account_subscribers=config.cross_account_subscribers,
    )
    intake = IntakeStack(
        **named(Component.INTAKE, "the producers' intake queue, its pipe to the validating Lambda, rejections"),
        table=data.table,
        alarm_topic=fabric.alarm_topic,
        settings=config.intake,
        defaults=defaults,
    )
    workflows = WorkflowsStack(
        **named(Component.WORKFLOWS, "the order workflow (Step Functions) started by OrderCreated, high-value review"),
        table=data.table,
        bus=fabric.bus,
        alarm_topic=fabric.alarm_topic,
        workflow=config.workflow,
        defaults=defaults,
        acting_region=acting_region,
        publishes=placement.publishes,
        env_name=config.name,
    )
    event_store = EventStoreStack(
        **named(Component.EVENT_STORE, "every bus event stored once, queryable by aggregate, type and time"),
        bus=fabric.bus,
        alarm_topic=fabric.alarm_topic,
        settings=config.event_store,
        retain_data=config.retain_data,
        defaults=defaults,
        recording_region=acting_region,
    )
    cache = CacheIntegrationStack(
        **named(
            Component.CACHE_INTEGRATION,
            "each order's current state in a Momento cache (a sync function), its changes on a Momento topic",
        ),
        bus=fabric.bus,
        table=data.table,
        alarm_topic=fabric.alarm_topic,
        settings=config.cache,
        defaults=defaults,
        acting_region=acting_region,
    )
    consumers = [data, fabric, intake, workflows, event_store, cache]
    for built in consumers:
        publish_dead_letter_queues(built)

    def every(kind: type[Any]) -> list[Any]:
        return [c for stack in consumers for c in stack.node.find_all() if isinstance(c, kind)]

    role = ("standby" if placement.standby else "primary") + (", publishing" if placement.publishes else "")
    watched = Watched(
        stream_pipe=fabric.stream_pipe,
        bus_name=fabric.bus.event_bus_name,
        state_machine=workflows.order_workflow.state_machine,
        dead_letter_queues=every(DeadLetterQueue),
        functions=every(PowertoolsFunction),
        maximum_record_age_seconds=config.stream_pipe.maximum_record_age_seconds,
        region=placement.region,
        heading=f"{placement.region} ({role})",
    )
    return OrdersStacks(
        data=data, fabric=fabric, intake=intake, workflows=workflows, event_store=event_store, cache=cache,
        watched=watched,
    )  # fmt: skip


def _operations(
    props: _StackProps, config: EnvironmentConfig, placement: Placement, regions: list[Watched]
) -> OperationsStack:
    return OperationsStack(
        **props(stack_name(config.name, Component.OPERATIONS), "the operations dashboard over every region's stacks",
                placement),
        dashboard_name=f"Orders-{config.name}",
        regions=regions,
    )  # fmt: skip
