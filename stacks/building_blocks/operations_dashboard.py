"""The one dashboard an on-call engineer opens first: is anything stuck, failing or piling up?

Rows, top to bottom, in the order docs/runbook.md reads them: the stream pipe (executions, failures, how old the
records it reads are), the bus (matched events, failed rule invocations), every dead-letter queue's depth, the order
workflow, then the functions (errors, throttles, p99 duration) and the event store's duplicates. Written with
aws_cloudwatch directly (docs/decisions.md says why not cdk-monitoring-constructs).

With a standby region the one dashboard has those rows once per region, each region under a heading: a dashboard
is billed per dashboard, not per region, and a widget may draw metrics of another region (the CloudWatch user guide,
"Cross-Region dashboards"). Every metric names its resource by the CloudFormation attribute of its L1 resource
(`QueueName`, a function's and a pipe's `Ref`, a state machine's `Arn`) and carries its region: CDK passes an
attribute of a standby stack's resource to this stack as a cross-region reference (`Fn::GetStackOutput`), while the
L2 name properties refuse to cross regions unless the resource has a fixed physical name (which would replace the
queues and functions of a deployed environment).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import CfnResource, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from lambdas.shared.metric_names import Metric
from stacks.building_blocks.dead_letter_queue import DeadLetterQueue
from stacks.building_blocks.order_workflow_definition import ALREADY_HANDLED_METRIC, WORKFLOW_METRICS_SERVICE
from stacks.building_blocks.powertools_function import METRICS_NAMESPACE, PowertoolsFunction
from stacks.building_blocks.stream_pipe import StreamToBusPipe

PERIOD = Duration.minutes(5)
WIDTH = 12
HEIGHT = 6


@dataclass(frozen=True)
class Watched:
    """What the dashboard shows, from whichever stacks own it."""

    stream_pipe: StreamToBusPipe
    bus_name: str
    state_machine: sfn.StateMachine
    dead_letter_queues: Sequence[DeadLetterQueue]
    functions: Sequence[PowertoolsFunction]
    maximum_record_age_seconds: int
    region: str | None = None  # the watched stacks' region (None: the dashboard's own, a region-agnostic app)
    heading: str = ""  # shown above the region's rows when the dashboard has more than one region


class OperationsDashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, dashboard_name: str, regions: Sequence[Watched]) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name,
                                              default_interval=Duration.hours(3))  # fmt: skip
        for watched in regions:
            if len(regions) > 1:
                self.dashboard.add_widgets(cloudwatch.TextWidget(markdown=f"## {watched.heading}", width=2 * WIDTH,
                                                                 height=1))  # fmt: skip
            self.dashboard.add_widgets(_pipe(watched), _record_age(watched))
            self.dashboard.add_widgets(_bus(watched), _dead_letter_queues(watched))
            self.dashboard.add_widgets(_workflow(watched), _duplicates(watched))
            self.dashboard.add_widgets(_function_failures(watched), _function_durations(watched))


def _graph(title: str, metrics: Sequence[cloudwatch.IMetric], **options: object) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics), width=WIDTH, height=HEIGHT, **options)  # type: ignore[arg-type]


def _metric(
    watched: Watched, namespace: str, name: str, dimensions: dict[str, str], statistic: str, *, label: str | None = None
) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=namespace, metric_name=name, dimensions_map=dimensions, statistic=statistic,
                             period=PERIOD, label=label, region=watched.region)  # fmt: skip


def _resource(construct: Construct) -> CfnResource:
    resource = construct.node.default_child
    assert isinstance(resource, CfnResource), construct.node.path
    return resource


def _pipe(watched: Watched) -> cloudwatch.GraphWidget:
    pipe_name = _resource(watched.stream_pipe.pipe).ref  # a pipe's Ref is its name
    names = ("Invocations", "ExecutionFailed", "EnrichmentStageFailed", "TargetStageFailed")
    return _graph("Stream pipe: executions and failures",
                  [_metric(watched, "AWS/EventBridge/Pipes", name, {"PipeName": pipe_name}, cloudwatch.Stats.SUM)
                   for name in names])  # fmt: skip


def _record_age(watched: Watched) -> cloudwatch.GraphWidget:
    limit = watched.maximum_record_age_seconds
    return _graph(
        "Stream pipe: age of the oldest record of each batch (s)",
        [watched.stream_pipe.record_age_metric().with_(region=watched.region)],
        left_annotations=[
            cloudwatch.HorizontalAnnotation(value=limit // 2, label="alarm"),
            cloudwatch.HorizontalAnnotation(value=limit, label="records go to the DLQ as pointers"),
        ],
    )


def _bus(watched: Watched) -> cloudwatch.GraphWidget:
    def search(metric: str) -> cloudwatch.MathExpression:
        # Every rule of this bus, by the documented dimension; no rule needs to be named here.
        return cloudwatch.MathExpression(
            expression=f'SEARCH(\'{{AWS/Events,EventBusName,RuleName}} EventBusName="{watched.bus_name}" '
            f"MetricName=\"{metric}\"', 'Sum', {int(PERIOD.to_seconds())})",
            label=metric,
            period=PERIOD,
            search_region=watched.region,
        )

    return _graph("Bus: matched events and failed invocations, per rule", [search("MatchedEvents"),
                                                                          search("FailedInvocations")])  # fmt: skip


def _dead_letter_queues(watched: Watched) -> cloudwatch.GraphWidget:
    metrics = [
        _metric(watched, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                {"QueueName": _resource(dlq.queue).get_att("QueueName").to_string()}, cloudwatch.Stats.MAXIMUM,
                label=dlq.node.path.split("/", 1)[-1])
        for dlq in watched.dead_letter_queues
    ]  # fmt: skip
    return _graph(
        "Dead-letter queues: visible messages (python -m ops.dlq list)",
        metrics,
        legend_position=cloudwatch.LegendPosition.RIGHT,
    )


def _workflow(watched: Watched) -> cloudwatch.GraphWidget:
    machine = {"StateMachineArn": _resource(watched.state_machine).ref}  # a state machine's Ref is its ARN
    outcomes = [_metric(watched, "AWS/States", f"Executions{outcome}", machine, cloudwatch.Stats.SUM)
                for outcome in ("Started", "Succeeded", "Failed", "TimedOut")]  # fmt: skip
    # Executions that found their order already moved on: duplicates, e.g. both regions' changes after a failover.
    service = {"service": WORKFLOW_METRICS_SERVICE}
    already_handled = _metric(watched, METRICS_NAMESPACE, ALREADY_HANDLED_METRIC, service, cloudwatch.Stats.SUM,
                              label="already handled")  # fmt: skip
    return _graph("Order workflow: executions", [*outcomes, already_handled])


def _duplicates(watched: Watched) -> cloudwatch.GraphWidget:
    # Powertools adds the service (POWERTOOLS_SERVICE_NAME) as the metric's only dimension.
    stored = [_metric(watched, METRICS_NAMESPACE, name, {"service": "event-store"}, cloudwatch.Stats.SUM)
              for name in (Metric.EVENTS_STORED, Metric.DUPLICATE_EVENTS)]  # fmt: skip
    return _graph("Event store: stored and duplicate events", stored)


def _function_name(function: PowertoolsFunction) -> dict[str, str]:
    return {"FunctionName": _resource(function.function).ref}  # a function's Ref is its name


def _function_failures(watched: Watched) -> cloudwatch.GraphWidget:
    metrics: list[cloudwatch.IMetric] = []
    for function in watched.functions:
        for name in ("Errors", "Throttles"):
            metrics.append(_metric(watched, "AWS/Lambda", name, _function_name(function), cloudwatch.Stats.SUM,
                                   label=f"{function.package} {name.lower()}"))  # fmt: skip
    return _graph("Functions: errors and throttles", metrics, legend_position=cloudwatch.LegendPosition.RIGHT)


def _function_durations(watched: Watched) -> cloudwatch.GraphWidget:
    metrics = [
        _metric(watched, "AWS/Lambda", "Duration", _function_name(function), "p99", label=function.package)
        for function in watched.functions
    ]
    return _graph("Functions: p99 duration (ms)", metrics, legend_position=cloudwatch.LegendPosition.RIGHT)
