"""Validating input against a msgspec type, and its error as the one line a rejection or an INVALID order carries."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")
# msgspec says `<message> - at `$.lineItems[0].quantity``; the path is absent when the problem is at the root.
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"^Object (?P<what>missing required|contains unknown) field `(?P<name>[^`]+)`$")


def converted(value: Any, into: type[T]) -> T:
    """`value` (plain JSON) as `into`, strictly: no coercion of "2" to 2; raises msgspec.ValidationError."""
    return msgspec.convert(value, into, strict=True)


def first_problem(error: msgspec.ValidationError, whole: str) -> str:
    """`<field path>: <message>` (msgspec stops at the first problem); `whole` names the root."""
    match = _AT.match(str(error))
    message, path = (match["message"], match["path"] or "") if match else (str(error), "")
    parts = [p for p in re.split(r"\.|\[(\d+)\]", path) if p]
    field = _FIELD.match(message)
    if field:
        parts.append(field["name"])
        message = "required field missing" if field["what"] == "missing required" else "unknown field"
    return f"{'.'.join(parts) or whole}: {message}"
