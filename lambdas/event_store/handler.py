"""Event store: batches of bus events from the SQS buffer, each stored once (see `storage.store`).

A message that is not an event at all is a batch item failure: SQS retries it, then moves it to the buffer's DLQ.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from lambdas.event_store.repository import StoredEvents
from lambdas.event_store.storage import store
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings


class Settings(BaseModel):
    table_name: str = Field(alias="EVENT_STORE_TABLE_NAME", min_length=1)
    retention_days: int | None = Field(default=None, alias="RETENTION_DAYS", ge=1)


@cache
def _dependencies() -> tuple[StoredEvents, int | None]:
    settings = load_settings(Settings)
    return StoredEvents(settings.table_name), settings.retention_days


processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=handle_record, processor=processor, context=context)


def handle_record(record: SQSRecord) -> str:
    return store(record.message_id, record.body, *_dependencies())
