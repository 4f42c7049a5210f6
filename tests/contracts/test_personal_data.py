"""Personal data: declared once (lambdas/shared/personal_data.py), withheld from every event, and every field that
looks personal declared one way or the other."""

from __future__ import annotations

import copy
import json
from typing import Any

from pydantic import BaseModel

from devtools.fake_lambda_context import FakeLambdaContext
from event_contract.examples import example_items, example_stream_record
from event_contract.models import ITEM_MODELS, EventMetadata
from event_contract.schemas import DETAIL_TYPES
from lambdas.enrichment.handler import handler
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import CUSTOMER, ENTITIES, ORDER
from lambdas.shared.personal_data import LOOKS_PERSONAL, NOT_PERSONAL_FIELDS, PERSONAL_FIELDS

PERSONAL_VALUES = ("Ada Lovelace", "ada@example.com", "ada.lovelace@example.com")  # the example items' own


def _model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    paths = set()
    for name, field in model.model_fields.items():
        path = prefix + (field.alias or name)
        paths.add(path)
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths |= _model_paths(candidate, path + ".")
    return paths


def _item_paths(item: dict[str, Any], prefix: str = "") -> set[str]:
    paths = set()
    for name, value in item.items():
        paths.add(prefix + name)
        if isinstance(value, dict):
            paths |= _item_paths(value, prefix + name + ".")
    return paths


def test_every_field_that_looks_personal_is_declared_personal_or_not() -> None:
    """Read from the contract's models and from the items the production builders write: a new `phone` (or a
    `deliveryAddress` on the order) fails here until lambdas/shared/personal_data.py says which it is."""
    undeclared = []
    for entity in ENTITIES:
        created, changed = example_items(entity)
        paths = (
            _model_paths(ITEM_MODELS[entity]) | _item_paths(item_to_json(created)) | _item_paths(item_to_json(changed))
        )
        declared = set(PERSONAL_FIELDS.get(entity.name, ())) | set(NOT_PERSONAL_FIELDS.get(entity.name, {}))
        undeclared += [f"{entity.name}.{p}" for p in sorted(paths) if LOOKS_PERSONAL.search(p.rsplit(".", 1)[-1])
                       and p not in declared]  # fmt: skip
    assert undeclared == []


def test_a_field_added_without_a_declaration_is_found() -> None:
    class WithPhone(ITEM_MODELS[CUSTOMER]):  # type: ignore[misc, valid-type]
        phone: str

    assert "phone" in _model_paths(WithPhone)
    assert LOOKS_PERSONAL.search("phone")
    assert LOOKS_PERSONAL.search("deliveryAddress")


def test_no_event_carries_a_personal_field_and_each_says_what_it_withheld() -> None:
    for detail_type in DETAIL_TYPES:
        published = handler([example_stream_record(detail_type)], FakeLambdaContext())
        if not published:
            continue  # the example product update changes stock only: no event (decision 30)
        [event] = published
        text = json.dumps(event)
        assert not [value for value in PERSONAL_VALUES if value in text], detail_type.name
        if detail_type.entity.name in PERSONAL_FIELDS:
            assert event["metadata"]["withheld"] == sorted(PERSONAL_FIELDS[detail_type.entity.name])
        EventMetadata.model_validate(event["metadata"])


def test_an_order_change_to_its_personal_fields_alone_is_no_event_and_a_customers_is() -> None:
    [order_update] = [d for d in DETAIL_TYPES if d.entity is ORDER and d.change == "MODIFY"]
    erased = copy.deepcopy(example_stream_record(order_update))
    erased["dynamodb"]["NewImage"] = copy.deepcopy(erased["dynamodb"]["OldImage"])
    snapshot = erased["dynamodb"]["NewImage"]["customer"]["M"]
    del snapshot["name"], snapshot["email"]
    assert handler([erased], FakeLambdaContext()) == []

    [customer_update] = [d for d in DETAIL_TYPES if d.entity is CUSTOMER and d.change == "MODIFY"]
    [event] = handler([example_stream_record(customer_update)], FakeLambdaContext())  # the e-mail changed
    assert event["data"] == event["previous"]
    assert event["metadata"]["withheld"] == ["email", "name"]
