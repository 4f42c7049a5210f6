"""Cache sync: batches of order events from its SQS buffer; each names an order whose current state is cached.

The event is only the reason to sync (see `sync.sync_order`): a message that does not name an order is a batch item
failure, retried and then dead-lettered, and an order named twice in one batch is synced once (the first sync's reads
came after every change the batch tells of: an event is published only once its change is in the table).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

import msgspec
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.cache_sync.momento import ApiKey, MomentoCache
from lambdas.cache_sync.repository import OrderItems
from lambdas.cache_sync.sync import sync_order
from lambdas.cache_sync.view import order_named_by
from lambdas.shared.batch import PartialBatchResponse, partial_batch_response
from lambdas.shared.observability import logger, metrics
from lambdas.shared.settings import load_settings

ENVIRONMENT = {"table_name": "TABLE_NAME", "endpoint": "CACHE_ENDPOINT", "cache_name": "CACHE_NAME",
               "ttl_seconds": "CACHE_TTL_SECONDS", "api_key_secret_name": "CACHE_API_KEY_SECRET_NAME"}  # fmt: skip


class Settings(msgspec.Struct, rename=ENVIRONMENT):
    table_name: Annotated[str, msgspec.Meta(min_length=1)]
    endpoint: Annotated[str, msgspec.Meta(pattern=r"^https?://")]
    cache_name: Annotated[str, msgspec.Meta(min_length=1)]
    ttl_seconds: Annotated[str, msgspec.Meta(pattern=r"^[1-9][0-9]*$")]  # variables are text
    api_key_secret_name: Annotated[str, msgspec.Meta(min_length=1)]


@cache
def _dependencies() -> tuple[OrderItems, MomentoCache]:
    settings = load_settings(Settings)
    momento = MomentoCache(
        settings.endpoint, settings.cache_name, int(settings.ttl_seconds), ApiKey(settings.api_key_secret_name)
    )
    return OrderItems(settings.table_name), momento


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    synced: set[str] = set()

    def handle_record(record: dict[str, Any]) -> None:
        order_id = order_named_by(record["body"])
        if order_id not in synced:
            outcome = sync_order(order_id, *_dependencies())
            logger.debug("Order synced", extra={"orderId": order_id, "outcome": outcome})
            synced.add(order_id)

    return partial_batch_response(event["Records"], handle_record)
