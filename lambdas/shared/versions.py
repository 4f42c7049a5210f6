"""What every write of an entity item carries, so that its events can be ordered and followed (decision 34):

- `version`: 1 when the item is created, one more with every change, in the same write (`ADD #version :one`); the
  enrichment puts it in `metadata.version`. A consumer keeps the state with the highest version and ignores an
  older one delivered late (EventBridge does not keep order). A writer outside the app that replaces an item
  without `version` publishes an event without `metadata.version`; the app's next write counts on from 1 for that
  item, so a consumer must treat a missing version as "unordered: apply it" (docs/consumers.md).
- `causationId`: the event or message that caused the change: intake's SQS message, or the OrderCreated event that
  started the workflow (`restart:<who>` for a run the order sweeper or an operator started). With `correlationId`,
  which every change of an order keeps, `ops.event_store trace` follows one request.
"""

from __future__ import annotations

from typing import Any

VERSION_ATTRIBUTE = "version"
CAUSATION_ATTRIBUTE = "causationId"
FIRST_VERSION = {"N": "1"}
# The clause, its name and value, for an UpdateExpression (and a transaction's Update) that changes an entity item.
NEXT_VERSION = "ADD #version :one"
NEXT_VERSION_NAMES = {"#version": VERSION_ATTRIBUTE}
NEXT_VERSION_VALUES: dict[str, Any] = {":one": {"N": "1"}}
RESTART_CAUSE_PREFIX = "restart:"
