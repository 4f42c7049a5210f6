"""What the cost model needs to know about an environment, read from its synthesized templates (never assumed):
which resources exist and how they are set."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Template = dict[str, Any]


@dataclass(frozen=True)
class Function:
    memory_mb: int
    log_level: str  # the application log level
    traced: bool


@dataclass(frozen=True)
class Table:
    index_projections: list[str]  # one per GSI: ALL, KEYS_ONLY or INCLUDE
    replicas: int


@dataclass(frozen=True)
class AppSettings:
    functions: dict[str, Function]  # by package (`lambdas.<package>.handler.handler`)
    workflow_type: str
    workflow_log_level: str
    workflow_logs_data: bool
    orders_table: Table
    event_store_table: Table
    stream_batch_size: int
    intake_batch_size: int
    event_store_batch_size: int
    pipe_log_levels: dict[str, str]  # stream, intake
    pipe_logs_data: dict[str, bool]
    archive_retention_days: int | None
    log_retention_days: int
    alarms: int
    dashboards: int
    secrets: int
    rules: list[str] = field(default_factory=list)  # paths
    topics: list[str] = field(default_factory=list)  # paths
    email_subscriptions: int = 0
    resource_types: dict[str, list[str]] = field(default_factory=dict)  # type -> paths, for the coverage check


def read_settings(templates: dict[str, Template]) -> AppSettings:
    resources = [(path(r), r) for t in templates.values() for r in t["Resources"].values()]

    def of_type(kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(p, r["Properties"]) for p, r in resources if r["Type"] == kind]

    functions = {
        props["Handler"].split(".")[1]: Function(
            memory_mb=int(props.get("MemorySize", 128)),
            log_level=str(props.get("LoggingConfig", {}).get("ApplicationLogLevel", "INFO")),
            traced=props.get("TracingConfig", {}).get("Mode") == "Active",
        )
        for _, props in of_type("AWS::Lambda::Function")
        if str(props.get("Handler", "")).startswith("lambdas.")
    }
    [(_, machine)] = of_type("AWS::StepFunctions::StateMachine")
    tables = {p.split("/")[0].rsplit("-", 1)[-1]: props for p, props in of_type("AWS::DynamoDB::GlobalTable")}
    pipes = {("stream" if "StreamPipe" in p else "intake"): props for p, props in of_type("AWS::Pipes::Pipe")}
    [(_, mapping)] = of_type("AWS::Lambda::EventSourceMapping")
    archives = of_type("AWS::Events::Archive")
    log_groups = of_type("AWS::Logs::LogGroup")
    return AppSettings(
        functions=functions,
        workflow_type=str(machine.get("StateMachineType", "STANDARD")),
        workflow_log_level=str(machine.get("LoggingConfiguration", {}).get("Level", "OFF")),
        workflow_logs_data=bool(machine.get("LoggingConfiguration", {}).get("IncludeExecutionData", False)),
        orders_table=_table(tables["Data"]),
        event_store_table=_table(tables["EventStore"]),
        stream_batch_size=int(pipes["stream"]["SourceParameters"]["DynamoDBStreamParameters"].get("BatchSize", 1)),
        intake_batch_size=int(pipes["intake"]["SourceParameters"]["SqsQueueParameters"].get("BatchSize", 10)),
        event_store_batch_size=int(mapping.get("BatchSize", 10)),
        pipe_log_levels={k: str(p.get("LogConfiguration", {}).get("Level", "OFF")) for k, p in pipes.items()},
        pipe_logs_data={k: bool(p.get("LogConfiguration", {}).get("IncludeExecutionData")) for k, p in pipes.items()},
        archive_retention_days=int(archives[0][1].get("RetentionDays", 0)) or None if archives else None,
        log_retention_days=max(int(props.get("RetentionInDays", 0)) for _, props in log_groups),
        alarms=len(of_type("AWS::CloudWatch::Alarm")),
        dashboards=len(of_type("AWS::CloudWatch::Dashboard")),
        secrets=len({str(p["AuthParameters"]) for _, p in of_type("AWS::Events::Connection")}),
        rules=[p for p, _ in of_type("AWS::Events::Rule")],
        topics=[p for p, _ in of_type("AWS::SNS::Topic")],
        email_subscriptions=sum(1 for _, s in of_type("AWS::SNS::Subscription") if s.get("Protocol") == "email"),
        resource_types=_paths_by_type(resources),
    )


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
        index_projections=[i["Projection"]["ProjectionType"] for i in properties.get("GlobalSecondaryIndexes", [])],
        replicas=len(properties.get("Replicas", [])) or 1,
    )
