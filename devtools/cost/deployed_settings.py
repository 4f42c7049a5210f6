"""What the cost model needs to know about one region of an environment, read from its synthesized templates (never
assumed): which resources exist and how they are set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Template = dict[str, Any]
RECORDING_RULES = ("EveryEventRule", "EventLogRule")  # the rules that take every event (records_every_event)


@dataclass(frozen=True)
class Function:
    memory_mb: int
    log_level: str  # the application log level
    system_log_level: str  # START/END/REPORT lines are written at INFO and DEBUG only
    traced: bool  # Active: the function starts (samples) traces of its own; PassThrough: only its caller's


@dataclass(frozen=True)
class Table:
    index_projections: dict[str, str]  # by GSI name: ALL, KEYS_ONLY or INCLUDE
    replicas: int


@dataclass(frozen=True)
class Poller:
    """An SQS or stream source that Lambda or Pipes polls in batches."""

    batch_size: int
    window_seconds: float


@dataclass(frozen=True)
class RegionSettings:
    region: str
    publishes: bool  # its stream pipe runs (one region of an environment publishes at a time)
    functions: dict[str, Function]  # by package (`lambdas.<package>.handler.handler`)
    workflow_type: str
    workflow_log_level: str
    workflow_logs_data: bool
    workflow_traced: bool
    workflow_sampled_share: float | None  # a sampling rule of this workflow's own, else X-Ray's default applies
    orders_table: Table | None  # None: the region holds a replica of the primary's global table
    event_store_table: Table
    event_store_retention_days: int | None  # the writer's RETENTION_DAYS (TTL); None: kept forever
    stream: Poller
    intake: Poller
    event_store: Poller
    cache_sync: Poller
    pipe_log_levels: dict[str, str]  # stream, intake
    pipe_logs_data: dict[str, bool]
    archive_retention_days: int | None
    log_retention_days: int
    event_log_class: str  # STANDARD or INFREQUENT_ACCESS
    records_other_regions_events: bool  # the event store, the event log and the archive take replicated copies
    alarms: int
    dashboards: int
    secrets: int
    health_checks: int
    replicating_endpoints: int
    schedules_per_month: dict[str, float] = field(default_factory=dict)  # enabled scheduled rules, by construct id
    rules: list[str] = field(default_factory=list)  # paths
    topics: list[str] = field(default_factory=list)  # paths
    email_subscriptions: int = 0
    resource_types: dict[str, list[str]] = field(default_factory=dict)  # type -> paths, for the coverage check


def read_settings(region: str, templates: dict[str, Template]) -> RegionSettings:
    resources = [(path(r), r) for t in templates.values() for r in t["Resources"].values()]

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(p, r.get("Properties", {})) for p, r in resources if r["Type"] == kind]

    [(_, machine)] = of_type("AWS::StepFunctions::StateMachine")
    tables = {_component(p): props for p, props in of_type("AWS::DynamoDB::GlobalTable")}
    pipes = {("stream" if "StreamPipe" in p else "intake"): props for p, props in of_type("AWS::Pipes::Pipe")}
    mappings = {_polled_by(p): props for p, props in of_type("AWS::Lambda::EventSourceMapping")}
    archives = of_type("AWS::Events::Archive")
    stream = pipes["stream"]["SourceParameters"]["DynamoDBStreamParameters"]
    queue = pipes["intake"]["SourceParameters"]["SqsQueueParameters"]
    logging = machine.get("LoggingConfiguration", {})
    return RegionSettings(
        region=region,
        publishes=pipes["stream"].get("DesiredState", "RUNNING") == "RUNNING",
        functions=_functions(of_type("AWS::Lambda::Function")),
        workflow_type=str(machine.get("StateMachineType", "STANDARD")),
        workflow_log_level=str(logging.get("Level", "OFF")),
        workflow_logs_data=bool(logging.get("IncludeExecutionData", False)),
        workflow_traced=bool(machine.get("TracingConfiguration", {}).get("Enabled", False)),
        workflow_sampled_share=_workflow_sampling(of_type("AWS::XRay::SamplingRule")),
        orders_table=_table(tables["Data"]) if "Data" in tables else None,
        event_store_table=_table(tables["EventStore"]),
        event_store_retention_days=_retention_days(of_type("AWS::Lambda::Function")),
        stream=Poller(int(stream.get("BatchSize", 1)), float(stream.get("MaximumBatchingWindowInSeconds", 0))),
        intake=Poller(int(queue.get("BatchSize", 10)), float(queue.get("MaximumBatchingWindowInSeconds", 0))),
        event_store=_sqs_poller(mappings["EventStore"]),
        cache_sync=_sqs_poller(mappings["CacheIntegration"]),
        pipe_log_levels={k: str(p.get("LogConfiguration", {}).get("Level", "OFF")) for k, p in pipes.items()},
        pipe_logs_data={k: bool(p.get("LogConfiguration", {}).get("IncludeExecutionData")) for k, p in pipes.items()},
        archive_retention_days=int(archives[0][1].get("RetentionDays", 0)) or None if archives else None,
        log_retention_days=max(int(props.get("RetentionInDays", 0)) for _, props in of_type("AWS::Logs::LogGroup")),
        event_log_class=_event_log_class(of_type("AWS::Logs::LogGroup")),
        records_other_regions_events=_records_other_regions(of_type("AWS::Events::Rule"), archives),
        alarms=len(of_type("AWS::CloudWatch::Alarm")),
        dashboards=len(of_type("AWS::CloudWatch::Dashboard")),
        secrets=len({str(p["AuthParameters"]) for _, p in of_type("AWS::Events::Connection")}),
        health_checks=len(of_type("AWS::Route53::HealthCheck")),
        replicating_endpoints=sum(
            1
            for _, p in of_type("AWS::Events::Endpoint")
            if p.get("ReplicationConfig", {}).get("State", "ENABLED") == "ENABLED"
        ),
        schedules_per_month=_schedules(of_type("AWS::Events::Rule")),
        rules=[p for p, _ in of_type("AWS::Events::Rule")],
        topics=[p for p, _ in of_type("AWS::SNS::Topic")],
        email_subscriptions=sum(1 for _, s in of_type("AWS::SNS::Subscription") if s.get("Protocol") == "email"),
        resource_types=_paths_by_type(resources),
    )


RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _schedules(rules: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    """Runs a month of each enabled `rate(...)` rule; a cron expression is not priced here and stops the model."""
    found = {}
    for rule_path, props in rules:
        expression = props.get("ScheduleExpression")
        if not expression or props.get("State", "ENABLED") != "ENABLED":
            continue
        if not (expression.startswith("rate(") and expression.endswith(")")):
            raise ValueError(f"{rule_path}: schedule {expression!r}: only rate(...) schedules are priced")
        value, unit = expression[5:-1].split()
        found[rule_path.removesuffix("/Resource").split("/")[-1]] = 30 * 86400 / (int(value) * RATE_UNITS[unit])
    return found


def _polled_by(resource_path: str) -> str:
    """`Orders-prod-CacheIntegration/Sync/Function/SqsEventSource...` -> `CacheIntegration` (the poller's stack)."""
    stack = resource_path.split("/", maxsplit=1)[0]
    [component] = [c for c in ("EventStore", "CacheIntegration") if f"-{c}" in stack]
    return component


def _sqs_poller(mapping: dict[str, Any]) -> Poller:
    return Poller(int(mapping.get("BatchSize", 10)), float(mapping.get("MaximumBatchingWindowInSeconds", 0)))


def _component(resource_path: str) -> str:
    """`Orders-prod-EventStore-eu-central-1/Table/Resource` -> `EventStore` (the table's stack)."""
    stack = resource_path.split("/", maxsplit=1)[0]
    [component] = [c for c in ("EventStore", "Data") if f"-{c}" in stack]
    return component


def _functions(functions: list[tuple[str, dict[str, Any]]]) -> dict[str, Function]:
    return {
        props["Handler"].split(".")[1]: Function(
            memory_mb=int(props.get("MemorySize", 128)),
            log_level=str(props.get("LoggingConfig", {}).get("ApplicationLogLevel", "INFO")),
            system_log_level=str(props.get("LoggingConfig", {}).get("SystemLogLevel", "INFO")),
            traced=props.get("TracingConfig", {}).get("Mode") == "Active",
        )
        for _, props in functions
        if str(props.get("Handler", "")).startswith("lambdas.")
    }


def _retention_days(functions: list[tuple[str, dict[str, Any]]]) -> int | None:
    [writer] = [p for _, p in functions if p.get("Handler") == "lambdas.event_store.handler.handler"]
    days = writer.get("Environment", {}).get("Variables", {}).get("RETENTION_DAYS")
    return int(days) if days else None


def _workflow_sampling(rules: list[tuple[str, dict[str, Any]]]) -> float | None:
    shares = [
        float(props["SamplingRule"]["FixedRate"])
        for _, props in rules
        if props.get("SamplingRule", {}).get("ServiceType") == "AWS::StepFunctions::StateMachine"
    ]
    return min(shares) if shares else None


def _event_log_class(log_groups: list[tuple[str, dict[str, Any]]]) -> str:
    [event_log] = [props for p, props in log_groups if p.split("/")[1] == "EventLog"]
    return str(event_log.get("LogGroupClass", "STANDARD"))


def _records_other_regions(rules: list[tuple[str, dict[str, Any]]], archives: list[tuple[str, Any]]) -> bool:
    """Whether the recorders (event store, event log, archive) match events whose `originRegion` is another
    region's: they do unless their pattern names the origin."""
    patterns = [props.get("EventPattern", {}) for p, props in rules if p.split("/")[1] in RECORDING_RULES]
    patterns += [props.get("EventPattern", {}) for _, props in archives]
    return any("originRegion" not in str(pattern) for pattern in patterns)


def _paths_by_type(resources: list[tuple[str, dict[str, Any]]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for resource_path, resource in resources:
        found.setdefault(resource["Type"], []).append(resource_path)
    return found


def path(resource: dict[str, Any]) -> str:
    """`<stack>/<construct path>` (CDK's path metadata)."""
    return str(resource.get("Metadata", {}).get("aws:cdk:path", ""))


def _table(properties: dict[str, Any]) -> Table:
    return Table(
        index_projections={
            i["IndexName"]: i["Projection"]["ProjectionType"] for i in properties.get("GlobalSecondaryIndexes", [])
        },
        replicas=len(properties.get("Replicas", [])) or 1,
    )
