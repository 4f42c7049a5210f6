"""Render an EventBridge rule target's input transformer over an event, following the documented rules.

From "Amazon EventBridge input transformation" (user guide), the rules this follows:
- each InputPathsMap entry is a JSON path into the event; a path that matches nothing creates no variable, and its
  placeholder comes out as nothing;
- a placeholder outside quotes gets the value as JSON: EventBridge adds the quotes to strings (so the output stays
  valid JSON); numbers, booleans, objects and arrays come out raw;
- inside quotes EventBridge inserts a string as is, without escaping it, and strips the quotes inside an object.
Dynamic HttpParameters (a value that is a JSON path) read the original event the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rendering.pipe_input import inside_string

PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")
PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
MISSING = object()


def value_at(event: Any, path: str) -> Any:
    if not path.startswith("$"):
        raise ValueError(f"not a JSON path: {path}")
    node = event
    for name, index in PATH_STEP.findall(path[1:]):
        if name and isinstance(node, dict) and name in node:
            node = node[name]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return MISSING
    return node


def render(input_transformer: dict[str, Any], event: dict[str, Any]) -> str:
    values = {name: value_at(event, path) for name, path in input_transformer.get("InputPathsMap", {}).items()}
    template: str = input_transformer["InputTemplate"]

    def substitute(match: re.Match[str]) -> str:
        value = values.get(match.group(1), MISSING)
        if value is MISSING:
            return ""
        if inside_string(template, match.start()):
            if isinstance(value, str):
                return value
            return json.dumps(value, ensure_ascii=False).replace('"', "")
        return json.dumps(value, ensure_ascii=False)

    return PLACEHOLDER.sub(substitute, template)


def http_parameters(parameters: dict[str, dict[str, str]], event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Static values as they are; a value that is a JSON path replaced by what it points at in the event."""
    return {
        kind: {name: value_at(event, value) if value.startswith("$.") else value for name, value in values.items()}
        for kind, values in parameters.items()
    }


def target_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    """What a rule target receives for `event`: its constant Input, its InputPath, its transformer, or the event."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        value = value_at(event, target["InputPath"])
        return "" if value is MISSING else json.dumps(value)
    if "InputTransformer" in target:
        return render(target["InputTransformer"], event)
    return json.dumps(event)
