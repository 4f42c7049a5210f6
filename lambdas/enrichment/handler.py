"""Pipes enrichment: a batch of DynamoDB stream records in, one envelope per record out, in the same order."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.enrichment.batch import enrich
from lambdas.shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: list[dict[str, Any]], context: LambdaContext) -> list[dict[str, Any]]:
    return enrich(event)
