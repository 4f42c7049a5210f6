"""Pipes input templates and dynamic JSON paths, as the Pipes user guide documents them, and nothing more.

"Amazon EventBridge Pipes input transformation" (docs.aws.amazon.com/eventbridge/latest/userguide/
eb-pipes-input-transformation.html):
- `<$.path>` reads the event payload (dot notation, array indices, dashes, underscores); `<aws.pipes.*>` reads a
  reserved variable.
- Implicit body parsing: `$.body...` of an SQS record reads the body as JSON when it is JSON.
- "put quotes around variables that refer to JSON path parameters, but do not put quotes around variables that
  refer to JSON objects or arrays". What Pipes does with an unquoted placeholder that resolves to a string is not
  documented, so this renderer refuses it (as it refuses a quoted one that resolves to an object): a template must
  not depend on an answer AWS does not give.
"""

from __future__ import annotations

import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"<(\$(?:\.[\w-]+|\[\d+\])*|aws\.pipes\.[\w.-]+)>")
STEP = re.compile(r"\.([\w-]+)|\[(\d+)\]")
PARSED_BODY_FIELDS = ("body",)  # SQS; Kinesis' `data` is base64 and never appears in this app


class TransformError(ValueError):
    """The template or path cannot be applied to this payload; Pipes fails the invocation in that case."""


def value_at(payload: Any, path: str) -> Any:
    """The value at a Pipes JSON path; raises TransformError when the path resolves to nothing."""
    if not path.startswith("$"):
        raise TransformError(f"not a JSON path: {path!r}")
    node = payload
    for depth, (name, index) in enumerate(STEP.findall(path[1:])):
        node = _step(node, name, index, path)
        if depth == 0 and name in PARSED_BODY_FIELDS and isinstance(node, str):
            node = _parsed(node)
    return node


def _step(node: Any, name: str, index: str, path: str) -> Any:
    if name and isinstance(node, dict) and name in node:
        return node[name]
    if index and isinstance(node, list) and int(index) < len(node):
        return node[int(index)]
    raise TransformError(f"{path} resolves to nothing in this payload")


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def render(template: str, payload: Any, reserved: dict[str, str]) -> Any:
    """The transformed payload: parsed JSON when the template is JSON, else the rendered text."""

    is_json = template.lstrip().startswith(("{", "["))

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = reserved[name] if name in reserved else value_at(payload, name)
        if not is_json:  # free text: the value's text, as in the guide's "Hello, <$.attributes.SenderId>"
            return value if isinstance(value, str) else json.dumps(value)
        return _placed(value, name, quoted=inside_string(template, match.start()))

    if any(name.startswith("aws.pipes.") and name not in reserved for name in PLACEHOLDER.findall(template)):
        raise TransformError(f"template uses a reserved variable this runner does not provide: {template}")
    rendered = PLACEHOLDER.sub(substitute, template)
    if not is_json:
        return rendered
    try:
        return json.loads(rendered)
    except ValueError as error:
        raise TransformError(f"the rendered template is not valid JSON ({error}): {rendered[:200]}") from None


def _placed(value: Any, name: str, *, quoted: bool) -> str:
    if quoted:
        if isinstance(value, (dict, list)):
            raise TransformError(f"<{name}> resolves to an object or array but is placed inside quotes")
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]  # escaped, so the output stays valid JSON
    if isinstance(value, str):
        raise TransformError(
            f"<{name}> resolves to a string but is not inside quotes: Pipes does not document what it does then; "
            f"quote it"
        )
    return json.dumps(value)


def inside_string(template: str, position: int) -> bool:
    """Whether `position` of a JSON template is inside a string literal (EventBridge's rules turn on this too)."""
    quotes, escaped = 0, False
    for character in template[:position]:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            quotes += 1
    return quotes % 2 == 1


def dynamic_parameter(value: Any, element: Any) -> Any:
    """A target parameter: a value that is a JSON path (`$.`) is read from the element it is applied to."""
    if isinstance(value, str) and value.startswith("$."):
        return value_at(element, value)
    return value
