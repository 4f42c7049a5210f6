"""Sizes as AWS bills them, computed from what the app's own builders produce (never assumed):

- a DynamoDB item's size, by the rules of the DynamoDB guide ("Item sizes and formats",
  docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html): attribute names count,
  strings by their UTF-8 length, numbers at about one byte per two significant digits plus one, a map or list
  3 bytes plus 1 byte per element plus its elements, booleans and nulls 1 byte;
- a write's units: one per started KB of the larger of the item before and after, twice in a transaction;
- an EventBridge event's size as PutEvents counts it (the entry's Source, DetailType, Detail, Time and Resources:
  docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

Item = dict[str, Any]  # DynamoDB JSON
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
TIME_BYTES = 14  # an RFC 3339 time counts 14 bytes, whatever its text (the PutEvents size page)


def item_bytes(item: Item | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict[str, Any]) -> int:
    [(kind, content)] = value.items()
    if kind not in _SIZES:
        raise ValueError(f"unknown DynamoDB type {kind!r}: the size rules do not say how large it is")
    return _SIZES[kind](content)


def _number_bytes(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def write_units(before: Item | None, after: Item | None, *, transactional: bool = False) -> int:
    """Units of one write that changes `before` into `after` (None: absent)."""
    units = max(1, math.ceil(max(item_bytes(before), item_bytes(after)) / WRITE_UNIT_BYTES))
    return units * (2 if transactional else 1)


def event_bytes(event: dict[str, Any]) -> int:
    """`event` as the bus delivers it (`source`, `detail-type`, `detail`, `time`, `resources`)."""
    detail = event["detail"] if isinstance(event["detail"], str) else json.dumps(event["detail"])
    resources = sum(len(str(resource).encode()) for resource in event.get("resources", []))
    return (
        len(event["source"].encode())
        + len(event["detail-type"].encode())
        + len(detail.encode())
        + TIME_BYTES
        + resources
    )


def _binary_bytes(content: bytes | str) -> int:
    return len(content) if isinstance(content, bytes) else len(content) * 3 // 4  # base64 text


# A value's size by its DynamoDB type (CapacityUnitCalculations.html).
_SIZES: dict[str, Callable[[Any], int]] = {
    "S": lambda text: len(str(text).encode()),
    "N": lambda number: _number_bytes(str(number)),
    "B": _binary_bytes,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "M": lambda mapping: 3 + sum(len(k.encode()) + _value_bytes(v) + 1 for k, v in mapping.items()),
    "L": lambda values: 3 + sum(_value_bytes(v) + 1 for v in values),
    "SS": lambda texts: sum(len(t.encode()) for t in texts),
    "NS": lambda numbers: sum(_number_bytes(n) for n in numbers),
}
