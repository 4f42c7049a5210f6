"""What a producer may send, and how a message body becomes a validated submission or a rejection reason."""

from __future__ import annotations

import hashlib
import json

from pydantic import ConfigDict, Field, ValidationError

from lambdas.shared.orders import ID_PATTERN, OrderLines
from lambdas.shared.validation import first_problem

MAX_BODY_BYTES = 64 * 1024  # an order of 50 line items is far below this


class Rejected(Exception):
    """A message that will never become an order: it goes to the rejected queue with this reason, unretried."""


class OrderSubmission(OrderLines):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", populate_by_name=True)

    order_id: str = Field(alias="orderId", pattern=ID_PATTERN)
    correlation_id: str | None = Field(default=None, alias="correlationId", pattern=r"^[\x21-\x7e]{1,128}$")

    def fingerprint(self) -> str:
        """Same submission, same fingerprint: tells a redelivery (fine) from a different order under the same id."""
        canonical = json.dumps(self.model_dump(by_alias=True, exclude={"correlation_id"}), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def parse_submission(body: str) -> OrderSubmission:
    """The SQS message body, as the producer sent it."""
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise Rejected(f"body of {size} bytes exceeds the {MAX_BODY_BYTES} byte limit")
    try:
        parsed = json.loads(body)
    except ValueError as error:
        raise Rejected(f"body is not JSON: {error}") from None
    if not isinstance(parsed, dict):
        raise Rejected(f"body must be a JSON object, got {type(parsed).__name__}")
    try:
        return OrderSubmission.model_validate(parsed)
    except ValidationError as error:
        raise Rejected(first_problem(error, whole="body")) from None
