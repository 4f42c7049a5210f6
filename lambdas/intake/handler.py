"""Intake: the pipe from the intake queue hands over batches of SQS records (as Pipes reads them, each with its
customer's snapshot from the pipe's enrichment); each message ends as

- written: a PENDING order item (a redelivery of the same submission writes nothing and counts as a duplicate);
- rejected: invalid or conflicting, sent with its reason to the rejected queue and never retried;
- retried: a transient failure, reported in `batchItemFailures` so SQS redelivers it (then its DLQ).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.intake.acceptance import CustomerLookup, accept
from lambdas.intake.repository import Orders, RejectedMessages
from lambdas.shared.batch import PartialBatchResponse, partial_batch_response
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings


class Settings(msgspec.Struct, rename="upper"):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]
    rejected_queue_url: Annotated[str, msgspec.Meta(min_length=1)]


@cache
def _dependencies() -> tuple[Orders, RejectedMessages]:
    settings = load_settings(Settings)
    return Orders(settings.table_name), RejectedMessages(settings.rejected_queue_url)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: list[dict[str, Any]], context: LambdaContext) -> PartialBatchResponse:
    """Failures are reported per message; a wholly failed batch is still a normal response, never an exception."""
    return partial_batch_response(event, handle_record)


def handle_record(record: dict[str, Any]) -> str:
    return accept(record["messageId"], record["body"], *_dependencies(), customer=CustomerLookup.of(record))
