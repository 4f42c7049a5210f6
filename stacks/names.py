"""The names tools find a deployed environment by: its stack names and the stack outputs they read. Defined once;
the stacks, the operator CLIs and the smoke scenario all use these (a test checks each output exists)."""

from __future__ import annotations

from enum import StrEnum

APPLICATION = "Orders"


class Component(StrEnum):
    DATA = "Data"
    EVENT_FABRIC = "EventFabric"
    INTAKE = "Intake"
    WORKFLOWS = "Workflows"
    EVENT_STORE = "EventStore"
    CACHE_INTEGRATION = "CacheIntegration"
    OPERATIONS = "Operations"


def stack_name(env_name: str, component: Component) -> str:
    """The same in both regions of an environment with a standby: tools pick the region, not another name."""
    return f"{APPLICATION}-{env_name}-{component}"


# Only with a standby region: the global endpoint and its health check, in the primary region.
FAILOVER = "Failover"


def failover_stack_name(env_name: str) -> str:
    return f"{APPLICATION}-{env_name}-{FAILOVER}"


def delivery_access_stack_name(env_name: str) -> str:
    """The stack with the GitHub Actions roles of an environment (deployed on its own: make delivery-access)."""
    return f"{APPLICATION}-{env_name}-DeliveryAccess"


def table_name(env_name: str) -> str:
    """The table's name where a replica in another region must be found by it: a name CDK would generate needs the
    account at synth time, which `cdk synth` without credentials does not have."""
    return f"{APPLICATION}-{env_name}-orders"


def order_sweeper_schedule_name(env_name: str) -> str:
    """The sweeper's schedule, one per region under this name, so that `ops.failover` finds it without CloudFormation
    (which may not answer in a region outage), as it finds the stream pipe by its bus's name."""
    return f"{APPLICATION}-{env_name}-order-sweeper"


def bus_name(env_name: str) -> str:
    """The bus's name where both regions need the same one (a global endpoint spans two buses named alike)."""
    return f"{APPLICATION}-{env_name}"


def environment_and_component(name: str) -> tuple[str, str] | None:
    """The inverse of `stack_name`; None for a stack not named by it."""
    if not name.startswith(f"{APPLICATION}-") or name.count("-") < 2:
        return None
    env_name, component = name.removeprefix(f"{APPLICATION}-").rsplit("-", 1)
    return env_name, component


def dead_letter_queue_label(stack: str, name: str) -> str:
    """How `python -m ops.dlq` names a DLQ: its stack's component, then its construct path in that stack."""
    parsed = environment_and_component(stack)
    return f"{parsed[1] if parsed else stack}/{name}"


class Output(StrEnum):
    """Stack outputs, each named after what it holds; `OUTPUT_OWNERS` says which stack has it."""

    TABLE_NAME = "TableName"
    TABLE_ARN = "TableArn"
    TABLE_STREAM_ARN = "TableStreamArn"
    EVENT_BUS_NAME = "EventBusName"
    EVENT_BUS_ARN = "EventBusArn"
    ARCHIVE_NAME = "ArchiveName"
    ARCHIVE_ARN = "ArchiveArn"
    ALARM_TOPIC_ARN = "AlarmTopicArn"
    STATE_MACHINE_ARN = "StateMachineArn"
    ORDER_SWEEPER_FUNCTION_NAME = "OrderSweeperFunctionName"
    INTAKE_QUEUE_URL = "IntakeQueueUrl"
    REJECTED_QUEUE_URL = "RejectedQueueUrl"
    HIGH_VALUE_REVIEW_QUEUE_URL = "HighValueReviewQueueUrl"
    EVENT_STORE_TABLE_NAME = "EventStoreTableName"
    EVENT_STORE_TABLE_ARN = "EventStoreTableArn"
    CACHE_SYNC_BUFFER_URL = "CacheSyncBufferUrl"


OUTPUT_OWNERS: dict[Output, Component] = {
    Output.TABLE_NAME: Component.DATA,
    Output.TABLE_ARN: Component.DATA,
    Output.TABLE_STREAM_ARN: Component.DATA,
    Output.EVENT_BUS_NAME: Component.EVENT_FABRIC,
    Output.EVENT_BUS_ARN: Component.EVENT_FABRIC,
    Output.ARCHIVE_NAME: Component.EVENT_FABRIC,
    Output.ARCHIVE_ARN: Component.EVENT_FABRIC,
    Output.ALARM_TOPIC_ARN: Component.EVENT_FABRIC,
    Output.STATE_MACHINE_ARN: Component.WORKFLOWS,
    Output.ORDER_SWEEPER_FUNCTION_NAME: Component.WORKFLOWS,
    Output.INTAKE_QUEUE_URL: Component.INTAKE,
    Output.REJECTED_QUEUE_URL: Component.INTAKE,
    Output.HIGH_VALUE_REVIEW_QUEUE_URL: Component.WORKFLOWS,
    Output.EVENT_STORE_TABLE_NAME: Component.EVENT_STORE,
    Output.EVENT_STORE_TABLE_ARN: Component.EVENT_STORE,
    Output.CACHE_SYNC_BUFFER_URL: Component.CACHE_INTEGRATION,
}


# The EventFabric stack's schema registry (not in OUTPUT_OWNERS: the local emulator has no registry).
SCHEMA_REGISTRY_OUTPUT = "SchemaRegistryName"


class FailoverOutput(StrEnum):
    """The Failover stack's outputs (only environments with a standby region have that stack)."""

    GLOBAL_ENDPOINT_URL = "GlobalEndpointUrl"
    GLOBAL_ENDPOINT_ID = "GlobalEndpointId"
    HEALTH_CHECK_ID = "HealthCheckId"


# Every stack with dead-letter queues lists them (JSON) in this output: ops.dlq reads all of an environment's.
DEAD_LETTER_QUEUES_OUTPUT = "DeadLetterQueues"
