"""Intake: the pipe from the intake queue hands over batches of SQS records (as Pipes reads them, each with its
customer's snapshot from the pipe's enrichment); each message ends as

- written: a PENDING order item (a redelivery of the same submission writes nothing and counts as a duplicate);
- rejected: invalid or conflicting, sent with its reason to the rejected queue and never retried;
- retried: a transient failure, reported in `batchItemFailures` so SQS redelivers it (then its DLQ).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from lambdas.intake.acceptance import CustomerLookup, accept
from lambdas.intake.repository import Orders, RejectedMessages
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings


class Settings(BaseModel):
    table_name: str = Field(alias="TABLE_NAME", min_length=1)
    rejected_queue_url: str = Field(alias="REJECTED_QUEUE_URL", min_length=1)


@cache
def _dependencies() -> tuple[Orders, RejectedMessages]:
    settings = load_settings(Settings)
    return Orders(settings.table_name), RejectedMessages(settings.rejected_queue_url)


# Report failures per message; a wholly failed batch is still a normal response, never an exception.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: list[dict[str, Any]], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event={"Records": event}, record_handler=handle_record, processor=processor, context=context
    )


def handle_record(record: SQSRecord) -> str:
    lookup = CustomerLookup.of(record.raw_event)
    return accept(record.message_id, record.body, *_dependencies(), customer=lookup)
