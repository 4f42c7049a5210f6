"""The one dashboard an on-call engineer opens first: is anything stuck, failing or piling up?

Rows, top to bottom, in the order docs/runbook.md reads them: the stream pipe (executions, failures, how old the
records it reads are), the bus (matched events, failed rule invocations), every dead-letter queue's depth, the order
workflow, then the functions (errors, throttles, p99 duration) and the event store's duplicates. Written with
aws_cloudwatch directly (docs/decisions.md says why not cdk-monitoring-constructs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

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
    state_machine: sfn.IStateMachine
    dead_letter_queues: Sequence[DeadLetterQueue]
    functions: Sequence[PowertoolsFunction]
    maximum_record_age_seconds: int


class OperationsDashboard(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, dashboard_name: str, watched: Watched) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name,
                                              default_interval=Duration.hours(3))  # fmt: skip
        self.dashboard.add_widgets(_pipe(watched), _record_age(watched))
        self.dashboard.add_widgets(_bus(watched), _dead_letter_queues(watched))
        self.dashboard.add_widgets(_workflow(watched), _duplicates())
        self.dashboard.add_widgets(_function_failures(watched), _function_durations(watched))


def _graph(title: str, metrics: Sequence[cloudwatch.IMetric], **options: object) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(title=title, left=list(metrics), width=WIDTH, height=HEIGHT, **options)  # type: ignore[arg-type]


def _pipe(watched: Watched) -> cloudwatch.GraphWidget:
    names = ("Invocations", "ExecutionFailed", "EnrichmentStageFailed", "TargetStageFailed")
    return _graph("Stream pipe: executions and failures", [watched.stream_pipe.pipe_metric(name) for name in names])


def _record_age(watched: Watched) -> cloudwatch.GraphWidget:
    limit = watched.maximum_record_age_seconds
    return _graph(
        "Stream pipe: age of the oldest record of each batch (s)",
        [watched.stream_pipe.record_age_metric()],
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
        )

    return _graph("Bus: matched events and failed invocations, per rule", [search("MatchedEvents"),
                                                                          search("FailedInvocations")])  # fmt: skip


def _dead_letter_queues(watched: Watched) -> cloudwatch.GraphWidget:
    metrics = [
        dlq.queue.metric_approximate_number_of_messages_visible(
            label=dlq.node.path.split("/", 1)[-1], statistic=cloudwatch.Stats.MAXIMUM, period=PERIOD
        )
        for dlq in watched.dead_letter_queues
    ]
    return _graph(
        "Dead-letter queues: visible messages (python -m ops.dlq list)",
        metrics,
        legend_position=cloudwatch.LegendPosition.RIGHT,
    )


def _workflow(watched: Watched) -> cloudwatch.GraphWidget:
    machine = watched.state_machine
    # Executions that found their order already moved on: duplicates, e.g. both regions' changes after a failover.
    already_handled = cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=ALREADY_HANDLED_METRIC,
        dimensions_map={"service": WORKFLOW_METRICS_SERVICE},
        statistic=cloudwatch.Stats.SUM,
        period=PERIOD,
        label="already handled",
    )
    return _graph(
        "Order workflow: executions",
        [machine.metric_started(period=PERIOD), machine.metric_succeeded(period=PERIOD),
         machine.metric_failed(period=PERIOD), machine.metric_timed_out(period=PERIOD), already_handled],
    )  # fmt: skip


def _duplicates() -> cloudwatch.GraphWidget:
    def stored(name: str) -> cloudwatch.Metric:
        # Powertools adds the service (POWERTOOLS_SERVICE_NAME) as the metric's only dimension.
        return cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=name,
            dimensions_map={"service": "event-store"},
            statistic=cloudwatch.Stats.SUM,
            period=PERIOD,
        )

    return _graph("Event store: stored and duplicate events", [stored("EventsStored"), stored("DuplicateEvents")])


def _function_failures(watched: Watched) -> cloudwatch.GraphWidget:
    metrics: list[cloudwatch.IMetric] = []
    for function in watched.functions:
        metrics.append(function.function.metric_errors(label=f"{function.package} errors", period=PERIOD))
        metrics.append(function.function.metric_throttles(label=f"{function.package} throttles", period=PERIOD))
    return _graph("Functions: errors and throttles", metrics, legend_position=cloudwatch.LegendPosition.RIGHT)


def _function_durations(watched: Watched) -> cloudwatch.GraphWidget:
    metrics = [
        function.function.metric_duration(label=function.package, statistic="p99", period=PERIOD)
        for function in watched.functions
    ]
    return _graph("Functions: p99 duration (ms)", metrics, legend_position=cloudwatch.LegendPosition.RIGHT)
