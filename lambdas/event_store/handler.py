"""Event store: batches of bus events from the SQS buffer, each stored once (see `storage.store`).

A message that is not an event at all is a batch item failure: SQS retries it, then moves it to the buffer's DLQ.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.event_store.repository import StoredEvents
from lambdas.event_store.storage import store
from lambdas.shared.batch import PartialBatchResponse, partial_batch_response
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings

ENVIRONMENT = {"table_name": "EVENT_STORE_TABLE_NAME", "retention_days": "RETENTION_DAYS"}


class Settings(msgspec.Struct, rename=ENVIRONMENT):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]
    # Environment variables are text: the number arrives as "30".
    retention_days: Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]*$")] | None = None


@cache
def _dependencies() -> tuple[StoredEvents, int | None]:
    settings = load_settings(Settings)
    retention_days = int(settings.retention_days) if settings.retention_days else None
    return StoredEvents(settings.table_name), retention_days


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    return partial_batch_response(event["Records"], handle_record)


def handle_record(record: dict[str, Any]) -> str:
    return store(record["messageId"], record["body"], *_dependencies())
