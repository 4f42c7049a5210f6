"""Pipes enrichment of the intake pipe: SQS records in, the same records out, each with its customer's snapshot.

A failed lookup (throttling) fails the whole batch: Pipes retries it and SQS redelivers its messages, then the
intake queue's DLQ takes them after its receive count; nothing is dropped.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.customer_snapshot.repository import Customers
from lambdas.customer_snapshot.snapshots import with_snapshots
from lambdas.shared.customer_snapshot import CUSTOMER_SNAPSHOT_KEY
from lambdas.shared.metric_names import Metric
from lambdas.shared.observability import count, logger, metrics
from lambdas.shared.settings import load_settings


class Settings(msgspec.Struct, rename="upper"):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]


@cache
def _dependencies() -> Customers:
    return Customers(load_settings(Settings).table_name)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: list[dict[str, Any]], context: LambdaContext) -> list[dict[str, Any]]:
    records = with_snapshots(event, _dependencies().snapshots)
    unknown = sum(1 for record in records if CUSTOMER_SNAPSHOT_KEY in record and record[CUSTOMER_SNAPSHOT_KEY] is None)
    count(Metric.INTAKE_UNKNOWN_CUSTOMERS, unknown)
    return records
