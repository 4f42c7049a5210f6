"""A JSON Schema (draft 4, as the EventBridge schema registry takes `JSONSchemaDraft4`) for every detail-type the
app publishes, generated from the event contract (event_contract/models.py). No CDK here: the Event Fabric stack,
docs/events.md's generator and the tests all call it.

Each schema describes the whole EventBridge event, `detail` being the envelope, so that the registry's code bindings
give consumers the event as their rule receives it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from event_contract.models import ITEM_MODELS, EventMetadata
from lambdas.shared.entities import CHANGE_SUFFIXES, ENTITIES, EVENT_SOURCE, SCHEMA_VERSION, Entity

DRAFT_4 = "http://json-schema.org/draft-04/schema#"
WHEN_EMITTED = {
    "INSERT": "is created",
    "MODIFY": "changes",
    "REMOVE": "is deleted by a user or the app (never for a TTL expiry)",
}


@dataclass(frozen=True)
class DetailType:
    entity: Entity
    change: str  # INSERT, MODIFY, REMOVE

    @property
    def name(self) -> str:
        return self.entity.detail_type(self.change)

    @property
    def when(self) -> str:
        return f"an item with partition key {self.entity.key_prefix}<id> {WHEN_EMITTED[self.change]}"

    @property
    def has_data(self) -> bool:
        return self.change != "REMOVE"

    @property
    def has_previous(self) -> bool:
        return self.change != "INSERT"


DETAIL_TYPES = tuple(DetailType(entity, change) for entity in ENTITIES for change in CHANGE_SUFFIXES)


def event_schemas() -> dict[str, dict[str, Any]]:
    """Detail-type -> its schema, in the order of DETAIL_TYPES."""
    return {detail_type.name: event_schema(detail_type) for detail_type in DETAIL_TYPES}


class UnknownItemModel(LookupError):
    """An entity the contract has no item model for: the stream pipe would publish events nobody documented."""


def item_model(entity: Entity) -> type[BaseModel]:
    model = ITEM_MODELS.get(entity)
    if model is None:
        raise UnknownItemModel(
            f"no item model for entity {entity.name!r} ({entity.key_prefix}): add one to ITEM_MODELS in "
            "event_contract/models.py (docs/changing.md, 'Add an entity')"
        )
    return model


def event_schema(detail_type: DetailType) -> dict[str, Any]:
    item_name = item_model(detail_type.entity).__name__
    definitions = _definitions(detail_type)
    item_ref = {"$ref": f"#/definitions/{item_name}"}
    envelope: dict[str, Any] = {
        "type": "object",
        "description": "the envelope: what changed (metadata), the item after (data) and before (previous)",
        "additionalProperties": False,
        "required": ["metadata", "data", *(["previous"] if detail_type.has_previous else [])],
        "properties": {
            "metadata": {"$ref": "#/definitions/EventMetadata"},
            "data": item_ref if detail_type.has_data else {"type": "null", "description": "null: the item is gone"},
            **({"previous": item_ref} if detail_type.has_previous else {}),
        },
    }
    string = {"type": "string"}
    return {
        "$schema": DRAFT_4,
        "title": detail_type.name,
        "description": f"Published on the orders bus when {detail_type.when}.",
        "type": "object",
        "required": ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"],
        "properties": {
            "version": string,
            "id": string,
            "detail-type": {"type": "string", "enum": [detail_type.name]},
            "source": {"type": "string", "enum": [EVENT_SOURCE]},
            "account": string,
            "time": {"type": "string", "format": "date-time", "description": "when the change happened"},
            "region": string,
            "resources": {"type": "array", "items": string, "description": "the table's ARN"},
            "replay-name": {"type": "string", "description": "present only on archive replays"},
            "detail": envelope,
        },
        "definitions": definitions,
    }


def _definitions(detail_type: DetailType) -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Literal["serialization"]]] = [
        (ITEM_MODELS[detail_type.entity], "serialization"),
        (EventMetadata, "serialization"),
    ]
    _, top = models_json_schema(models, by_alias=True, ref_template="#/definitions/{model}")
    definitions: dict[str, Any] = _draft_4(top["$defs"])
    metadata = definitions["EventMetadata"]["properties"]
    for name, value in (
        ("source", EVENT_SOURCE),
        ("detailType", detail_type.name),
        ("entity", detail_type.entity.name),
        ("change", detail_type.change),
        ("schemaVersion", SCHEMA_VERSION),
    ):
        metadata[name] = {**metadata[name], "enum": [value]}
    return definitions


def _draft_4(node: Any) -> Any:
    """pydantic writes JSON Schema 2020-12; these are the keywords draft 4 spells differently or lacks."""
    if isinstance(node, list):
        return [_draft_4(value) for value in node]
    if not isinstance(node, dict):
        return node
    # titles pydantic derives from field names ("Orderid") say nothing the property name does not
    converted = {key: _draft_4(value) for key, value in node.items() if key not in ("examples", "default", "title")}
    if "const" in converted:
        converted["enum"] = [converted.pop("const")]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(converted.get(bound), (int, float)) and not isinstance(converted[bound], bool):
            converted[limit], converted[bound] = converted[bound], True
    return converted


def schema_content(schema: dict[str, Any]) -> str:
    """The text the registry stores: stable key order, compact."""
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))
