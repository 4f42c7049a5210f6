"""DynamoDB JSON (as in stream records) to plain JSON values, without boto3 and without losing precision.

- N: integers become `int` (exact at any size); other numbers become `float` only when the float prints back as the
  same decimal value; a number no double can carry (e.g. 20 significant digits after the point) is kept as its
  exact decimal string and reported through `on_inexact_number`, never rounded silently.
- SS/NS/BS become sorted lists, B/BS stay base64 text (stream records carry binary as base64), NULL is None.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

JsonValue = Any
InexactNumberHook = Callable[[str], None]


class UnsupportedAttributeError(ValueError):
    pass


def _no_hook(_: str) -> None:
    return None


def number(text: str, path: str = "", on_inexact_number: InexactNumberHook = _no_hook) -> int | float | str:
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    exact = Decimal(text)
    if exact == exact.to_integral_value():
        return int(exact)
    approximate = float(text)
    if Decimal(repr(approximate)) == exact:
        return approximate
    on_inexact_number(path)
    return text


def item_to_json(item: dict[str, Any], on_inexact_number: InexactNumberHook = _no_hook) -> dict[str, JsonValue]:
    """An item image ({"name": {"S": "..."}, ...}) as a plain dict."""
    return {name: attribute_to_json(value, name, on_inexact_number) for name, value in item.items()}


def attribute_to_json(
    attribute: dict[str, Any], path: str = "", on_inexact_number: InexactNumberHook = _no_hook
) -> JsonValue:
    ((tag, raw),) = attribute.items()
    if tag in _AS_IS:
        return raw
    if tag == "N":
        return number(raw, path, on_inexact_number)
    convert = _CONVERTERS.get(tag)
    if convert is None:
        raise UnsupportedAttributeError(f"attribute {path or '?'} has unknown DynamoDB type {tag!r}")
    return convert(raw, path, on_inexact_number)


def _map(raw: dict[str, Any], path: str, hook: InexactNumberHook) -> dict[str, JsonValue]:
    return {name: attribute_to_json(value, f"{path}.{name}", hook) for name, value in raw.items()}


def _list(raw: list[Any], path: str, hook: InexactNumberHook) -> list[JsonValue]:
    return [attribute_to_json(value, f"{path}[{index}]", hook) for index, value in enumerate(raw)]


def _sorted_strings(raw: list[str], path: str, hook: InexactNumberHook) -> list[str]:
    return sorted(raw)


def _sorted_numbers(raw: list[str], path: str, hook: InexactNumberHook) -> list[int | float | str]:
    return [number(text, f"{path}[]", hook) for text in sorted(raw, key=Decimal)]


def _null(raw: bool, path: str, hook: InexactNumberHook) -> None:
    return None


# S, B (base64 text in stream records) and BOOL are already plain JSON.
_AS_IS = frozenset(("S", "B", "BOOL"))
_CONVERTERS: dict[str, Callable[[Any, str, InexactNumberHook], JsonValue]] = {
    "M": _map,
    "L": _list,
    "SS": _sorted_strings,
    "BS": _sorted_strings,
    "NS": _sorted_numbers,
    "NULL": _null,
}
