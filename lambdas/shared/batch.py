"""SQS batch item failures: each record handled on its own, the ones that raised reported for SQS to retry.

Our own loop, not Powertools' BatchProcessor: that module imports every Powertools event data class and asyncio,
18-24 ms of every cold start of the two functions that read SQS, for a loop this size; FIFO ordering, async
handlers and parser models, which it adds, are used by neither (docs/decisions.md, 21).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypedDict

from lambdas.shared.observability import logger


class ItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


def partial_batch_response(
    records: Iterable[dict[str, Any]], handle: Callable[[dict[str, Any]], object]
) -> PartialBatchResponse:
    """Every record is handled; a record whose handling raises is logged and reported by its `messageId`. A wholly
    failed batch is still a normal response (all of it reported), never an exception."""
    failures: list[ItemFailure] = []
    for record in records:
        try:
            handle(record)
        except Exception:
            logger.exception("Record failed; reported for retry", extra={"messageId": record.get("messageId")})
            failures.append({"itemIdentifier": str(record.get("messageId"))})
    return {"batchItemFailures": failures}
