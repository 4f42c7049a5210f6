"""What a producer may send, and how a message body becomes a validated submission or a rejection reason."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

import msgspec

from lambdas.shared.orders import Id, OrderLines
from lambdas.shared.validation import converted, first_problem

MAX_BODY_BYTES = 64 * 1024  # an order of 50 line items is far below this


class Rejected(Exception):
    """A message that will never become an order: it goes to the rejected queue with this reason, unretried."""


class OrderSubmission(
    OrderLines, frozen=True, kw_only=True, forbid_unknown_fields=True, rename="camel", omit_defaults=True
):
    order_id: Id
    correlation_id: Annotated[str, msgspec.Meta(pattern=r"^[\x21-\x7e]{1,128}$")] | None = None

    def as_json(self) -> dict[str, object]:
        """The submission as its producer sent it (camelCase names; an absent correlationId left out)."""
        as_json: dict[str, object] = msgspec.to_builtins(self)
        return as_json

    def fingerprint(self) -> str:
        """Same submission, same fingerprint: tells a redelivery (fine) from a different order under the same id.
        The canonical text is the one earlier versions hashed, so orders already written keep matching."""
        content = {key: value for key, value in self.as_json().items() if key != "correlationId"}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


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
        return converted(parsed, OrderSubmission)
    except msgspec.ValidationError as error:
        raise Rejected(first_problem(error, whole="body")) from None
