"""When a schema change breaks consumers, and so needs a new `schemaVersion`.

A consumer built on the released schema must still read every event the new schema allows. So a change is
incompatible when the new schema allows an event the released one did not promise:
- a property that was required is no longer required (or is gone);
- a property's type admits more than before (e.g. string -> string or null, integer -> number);
- an enumeration gains a value (a consumer's switch over the statuses would meet one it does not know);
- a bound or pattern is removed or loosened (reported when it merely changes: comparing patterns is undecidable);
- a `$ref` now points elsewhere.
Adding an optional property, a new required property (old schemas allow unknown properties) and tightening are
compatible. Descriptions do not count.
"""

from __future__ import annotations

from typing import Any

BOUNDS = {"minimum": "lower", "minLength": "lower", "minItems": "lower",
          "maximum": "upper", "maxLength": "upper", "maxItems": "upper"}  # fmt: skip


def breaking_changes(released: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in `new` breaks a consumer of `released` (both whole event schemas), one line each."""
    found = _compare(released, new, "")
    for name, old_definition in released.get("definitions", {}).items():
        new_definition = new.get("definitions", {}).get(name)
        if new_definition is None:
            found.append(f"definitions/{name}: removed")
        else:
            found += _compare(old_definition, new_definition, f"definitions/{name}")
    return found


def _compare(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    found = _compare_values(old, new, path) + _compare_properties(old, new, path)
    for keyword in ("items", "anyOf"):
        found += _compare_nested(old.get(keyword), new.get(keyword), f"{path}/{keyword}")
    return found


def _compare_values(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    """What one value may be: reference, type, enumeration, bounds, pattern."""
    found: list[str] = []
    if old.get("$ref") != new.get("$ref"):
        found.append(f"{path}: refers to {new.get('$ref')} instead of {old.get('$ref')}")
    old_types, new_types = _types(old), _types(new)
    widened = new_types - old_types - ({"integer"} if "number" in old_types else set())
    if old_types and (widened or not new_types):
        found.append(f"{path}: type {sorted(old_types)} became {sorted(new_types) or 'anything'}")
    if "enum" in old and ("enum" not in new or any(value not in old["enum"] for value in new["enum"])):
        found.append(f"{path}: values {old['enum']} became {new.get('enum', 'anything')}")
    for keyword, side in BOUNDS.items():
        loosened = keyword not in new or (
            new[keyword] < old[keyword] if side == "lower" else new[keyword] > old[keyword]
        )
        if keyword in old and loosened:
            found.append(f"{path}: {keyword} {old[keyword]} became {new.get(keyword, 'none')}")
    if "pattern" in old and old["pattern"] != new.get("pattern"):
        found.append(f"{path}: pattern {old['pattern']!r} became {new.get('pattern')!r}")
    return found


def _compare_properties(old: dict[str, Any], new: dict[str, Any], path: str) -> list[str]:
    """What an object holds: which properties, which of them required."""
    found: list[str] = []
    if old.get("additionalProperties") is False and new.get("additionalProperties") is not False:
        found.append(f"{path}: now allows properties it did not list")
    found += [
        f"{path}/{name}: no longer required" for name in set(old.get("required", [])) - set(new.get("required", []))
    ]
    for name, old_property in old.get("properties", {}).items():
        if name in new.get("properties", {}):
            found += _compare(old_property, new["properties"][name], f"{path}/{name}")
        elif new.get("additionalProperties") is False:
            found.append(f"{path}/{name}: removed")
    return found


def _compare_nested(old: Any, new: Any, path: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return _compare(old, new, path)
    if isinstance(old, list) and isinstance(new, list):
        if len(new) > len(old):
            return [f"{path}: {len(old)} alternatives became {len(new)}"]
        return [f for i, (a, b) in enumerate(zip(old, new, strict=False)) for f in _compare(a, b, f"{path}/{i}")]
    return [] if old == new else [f"{path}: changed"]


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type")
    return set(declared) if isinstance(declared, list) else ({declared} if declared else set())
