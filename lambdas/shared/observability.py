"""The one Logger and Metrics of a function (service and namespace come from POWERTOOLS_* variables)."""

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from lambdas.shared.metric_names import ON_INCIDENT, Metric

logger = Logger()
metrics = Metrics()


def count(metric: Metric, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    """Adds a data point to `metric`; an incident's metric with nothing to count is not published at all
    (lambdas/shared/metric_names.py says why)."""
    if metric in ON_INCIDENT and value == 0:
        return
    metrics.add_metric(name=metric.value, unit=unit, value=value)
