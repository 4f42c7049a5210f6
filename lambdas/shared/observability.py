"""The one Logger and Metrics of a function (service and namespace come from POWERTOOLS_* variables)."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
