"""Event store: batches of bus events from the SQS buffer; each stored once (a conditional put on its key).

A duplicate delivery or an archive replay finds its event already stored: counted, not an error. An event without
our envelope is stored under a fallback key. A message that is not an event at all is a batch item failure.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from lambdas.event_store.stored_event import MalformedEvent, stored_event
from lambdas.shared.errors import reraise
from lambdas.shared.event_store_keys import AGGREGATE
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings


class Settings(BaseModel):
    table_name: str = Field(alias="EVENT_STORE_TABLE_NAME", min_length=1)
    retention_days: int | None = Field(default=None, alias="RETENTION_DAYS", ge=1)


@cache
def _store() -> tuple[Settings, Any]:
    return load_settings(Settings), boto3.client("dynamodb")


processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=store, processor=processor, context=context)


def store(record: SQSRecord) -> str:
    settings, client = _store()
    try:
        item, enveloped = stored_event(record.body, settings.retention_days)
    except MalformedEvent as error:
        logger.error("Not an event; it will be retried, then dead-lettered", extra={
            "messageId": record.message_id, "reason": str(error)})  # fmt: skip
        raise
    if not enveloped:
        logger.warning("Stored a foreign event under its fallback key", extra={"eventId": item["eventId"]["S"]})
        metrics.add_metric(name="ForeignEvents", unit=MetricUnit.Count, value=1)
    try:
        client.put_item(
            TableName=settings.table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(#aggregate)",
            ExpressionAttributeNames={"#aggregate": AGGREGATE},  # a reserved word
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            logger.warning("Event not stored; it will be retried", extra={
                "messageId": record.message_id, "error": str(error)})  # fmt: skip
            reraise(error)
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)
        return "duplicate"
    metrics.add_metric(name="EventsStored", unit=MetricUnit.Count, value=1)
    return "stored"
