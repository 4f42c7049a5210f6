"""The event contract: one draft-4 schema per detail-type; every event the app publishes validates against its
schema; drift from the contract is named; schemas change incompatibly only with a new schemaVersion; the docs and
the released schemas are what the generator writes."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import msgspec
import pytest
from jsonschema import Draft4Validator

from devtools.event_catalog import cli as catalog
from event_contract import models as contracts
from event_contract import schemas
from event_contract.compatibility import breaking_changes
from event_contract.examples import UnknownEntity, example_event, example_items
from event_contract.models import ITEM_MODELS
from event_contract.schemas import DETAIL_TYPES, DetailType, event_schemas, schema_content
from lambdas.enrichment.envelope import envelope
from lambdas.shared import customer_snapshot
from lambdas.shared.entities import ENTITIES, ORDER, SCHEMA_VERSION, Entity
from lambdas.shared.personal_data import PERSONAL_FIELDS
from tests.support.events import bus_event, stream_record, stream_record_names
from tests.support.synth import synthesize

Event = dict[str, Any]


def problems(event: Event) -> list[str]:
    """Where the event breaks its detail-type's schema, one line per problem."""
    schema = event_schemas()[event["detail-type"]]
    return sorted(f"{'/'.join(map(str, e.path))}: {e.message}" for e in Draft4Validator(schema).iter_errors(event))


def undeclared(event: Event) -> set[str]:
    """Attributes of `data`/`previous` that the contract does not list: they reach consumers, unpromised."""
    model = ITEM_MODELS[next(e for e in ENTITIES if e.name == event["detail"]["metadata"]["entity"])]
    declared = {field.alias or name for name, field in model.model_fields.items()}
    images = [event["detail"].get("data") or {}, event["detail"].get("previous") or {}]
    return {name for image in images for name in image} - declared


def test_one_valid_draft_4_schema_per_detail_type() -> None:
    schemas = event_schemas()
    assert list(schemas) == [f"{e.name}{c}" for e in ENTITIES for c in ("Created", "Updated", "Deleted")]
    for name, schema in schemas.items():
        Draft4Validator.check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
        assert len(schema_content(schema)) < 100_000, name  # the registry's limit on a schema's content


@pytest.mark.parametrize("detail_type", DETAIL_TYPES, ids=lambda d: d.name)
def test_the_production_builders_make_events_their_schema_accepts(detail_type: Any) -> None:
    event = example_event(detail_type)
    assert problems(event) == []
    assert undeclared(event) == set()


def test_a_deletion_has_no_data_a_creation_no_previous_and_an_update_both() -> None:
    for detail_type in DETAIL_TYPES:
        event = example_event(detail_type)
        broken = copy.deepcopy(event)
        if detail_type.change == "INSERT":
            broken["detail"]["previous"] = event["detail"]["data"]
        elif detail_type.change == "REMOVE":
            assert event["detail"]["data"] is None
            broken["detail"]["data"] = event["detail"]["previous"]
        else:
            del broken["detail"]["previous"]
        assert problems(broken), detail_type.name


# Fixtures that hold attributes the contract does not list, on purpose: the enrichment publishes them anyway.
EXPECTED_DRIFT = {
    "product_every_type": {"name", "weightKg", "ratio", "views", "negative", "pi", "thumbnail", "tags", "sizes",
                           "checksums", "dimensions", "history", "featured", "discontinuedAt"},
}  # fmt: skip


# ... and one whose ids intake would never accept (it tests escaping): written to the table directly, it is still
# published, and breaks the ids' pattern.
EXPECTED_PROBLEMS = {
    "order_insert_quotes_unicode": ["detail/data/customerId: 'Zoë", "detail/data/orderId: 'o-ünï-3001' does not match"],
}


@pytest.mark.parametrize("name", stream_record_names())
def test_every_published_fixture_validates_and_its_drift_is_named(name: str) -> None:
    try:
        event = bus_event(envelope(stream_record(name)))
    except ValueError:
        pytest.skip("not published (the enrichment rejects it)")
    found, expected = problems(event), EXPECTED_PROBLEMS.get(name, [])
    assert len(found) == len(expected)
    assert all(line.startswith(prefix) for line, prefix in zip(found, expected, strict=True))
    assert undeclared(event) == EXPECTED_DRIFT.get(name, set())


def _order_event_with(change: Any) -> Event:
    record = stream_record("order_insert")
    change(record["dynamodb"]["NewImage"])
    return bus_event(envelope(record))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda image: image.update(giftWrap={"BOOL": True}), []),
        (lambda image: image.pop("currency"), ["detail/data: 'currency' is a required property"]),
        (lambda image: image.update(totalMinor={"S": "12999"}), ["detail/data/totalMinor: '12999' is not of type"]),
        (lambda image: image.update(status={"S": "LOST"}), ["detail/data/status: 'LOST' is not one of"]),
    ],
    ids=["unknown attribute", "missing required", "wrong type", "unknown status"],
)
def test_drift_is_still_published_and_the_contract_names_it(change: Any, expected: list[str]) -> None:
    """The enrichment publishes what the table holds; the contract test says how it breaks the schema."""
    event = _order_event_with(change)
    found = problems(event)
    assert len(found) == len(expected)
    assert all(line.startswith(prefix) for line, prefix in zip(found, expected, strict=True))
    assert ("giftWrap" in undeclared(event)) == (not expected)


@pytest.mark.parametrize(
    ("change", "breaks"),
    [
        (lambda s: s["definitions"]["OrderItem"]["properties"].update(giftWrap={"type": "boolean"}), False),
        (lambda s: s["definitions"]["OrderItem"]["required"].append("giftWrap"), False),
        (lambda s: s["definitions"]["OrderItem"]["required"].remove("currency"), True),
        (lambda s: s["definitions"]["OrderItem"]["properties"]["totalMinor"].update(type="number"), True),
        (lambda s: s["definitions"]["OrderStatus"]["enum"].append("LOST"), True),
        (lambda s: s["definitions"]["OrderItem"]["properties"]["totalMinor"].pop("minimum"), True),
        (lambda s: s["definitions"]["OrderItem"]["properties"]["currency"].update(description="x"), False),
    ],
    ids=[
        "optional field added",
        "required field added",
        "required field dropped",
        "type widened",
        "enum value added",
        "bound removed",
        "description changed",
    ],
)
def test_the_compatibility_rule(change: Any, breaks: bool) -> None:
    released = event_schemas()["OrderCreated"]
    changed = copy.deepcopy(released)
    change(changed)
    assert bool(breaking_changes(released, changed)) is breaks


def test_the_schemas_are_compatible_with_the_release_of_their_schema_version() -> None:
    """An incompatible change needs SCHEMA_VERSION bumped; then `make events` releases the new version's schemas."""
    assert catalog.released_dir().is_dir(), f"schemas v{SCHEMA_VERSION} are not released: run `make events`"
    assert catalog.incompatible_with_release() == [], f"bump SCHEMA_VERSION (now {SCHEMA_VERSION})"


def test_the_event_catalog_and_released_schemas_are_current() -> None:
    stale = [
        str(path.relative_to(catalog.PROJECT_ROOT))
        for path, text in catalog.expected_files(synthesize("dev").templates).items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], "out of date: run `make events`"


def test_every_environment_registers_every_schema_with_its_generated_content() -> None:
    for env_name in ("dev", "staging", "prod"):
        template = synthesize(env_name).template("EventFabric")
        registries = [r for r in template["Resources"].values() if r["Type"] == "AWS::EventSchemas::Registry"]
        schemas = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::EventSchemas::Schema"]
        assert len(registries) == 1
        assert {s["SchemaName"]: json.loads(s["Content"]) for s in schemas} == {
            f"orders.table@{name}": schema for name, schema in event_schemas().items()
        }
        assert {s["Type"] for s in schemas} == {"JSONSchemaDraft4"}
        assert "SchemaRegistryName" in template["Outputs"]


def test_the_local_cloud_has_no_registry_since_its_emulator_has_none() -> None:
    templates = synthesize("local").templates.values()
    assert not any(r["Type"].startswith("AWS::EventSchemas::") for t in templates for r in t["Resources"].values())


def test_each_entitys_example_item_is_keyed_as_the_table_keys_it() -> None:
    for entity in ENTITIES:
        created, changed = example_items(entity)
        assert created["pk"]["S"].startswith(entity.key_prefix)
        assert (changed["pk"], changed["sk"]) == (created["pk"], created["sk"])


def test_the_run_time_customer_snapshot_is_the_contracts() -> None:
    """Intake validates the snapshot with lambdas/shared/customer_snapshot.py (msgspec, for cold starts) and the
    schemas document contracts.CustomerSnapshot (pydantic): the same fields, required alike, the same id pattern,
    except the personal ones, which the table holds and events withhold."""
    run_time = {f.encode_name: f.required for f in msgspec.structs.fields(customer_snapshot.CustomerSnapshot)}
    documented = {f.alias or name: f.is_required() for name, f in contracts.CustomerSnapshot.model_fields.items()}
    personal = {path.partition(".")[2] for path in PERSONAL_FIELDS[ORDER.name] if path.startswith("customer.")}
    assert personal == {"name", "email"}
    assert {name: required for name, required in run_time.items() if name not in personal} == documented
    assert tuple(n for n in customer_snapshot.SNAPSHOT_ATTRIBUTES if n not in personal) == tuple(documented)
    schema = msgspec.json.schema(customer_snapshot.CustomerSnapshot)
    run_time_pattern = schema["$defs"]["CustomerSnapshot"]["properties"]["customerId"]["pattern"]
    documented_pattern = event_schemas()["OrderCreated"]["definitions"]["CustomerSnapshot"]["properties"]["customerId"]
    assert run_time_pattern == documented_pattern["pattern"]


VOUCHER = Entity("Voucher", "VOUCHER#")  # an entity no one has added


def test_an_entity_without_an_example_builder_is_refused_not_documented_as_another() -> None:
    with pytest.raises(UnknownEntity, match=r"no example item for entity 'Voucher' \(VOUCHER#\)"):
        example_items(VOUCHER)


def test_make_events_refuses_an_entity_the_contract_does_not_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 'add an entity' recipe's first failure: registering VOUCHER# alone stops the generator, which writes
    nothing, instead of documenting VoucherCreated with another entity's example."""
    with_voucher = (*DETAIL_TYPES, DetailType(VOUCHER, "INSERT"))
    monkeypatch.setattr(catalog, "DETAIL_TYPES", with_voucher)
    monkeypatch.setattr(schemas, "DETAIL_TYPES", with_voucher)
    monkeypatch.setattr(catalog, "dev_templates", lambda: pytest.fail("must refuse before synthesizing"))
    out = io.StringIO()
    assert catalog.main(["--check"], out=out) == 1
    assert out.getvalue().startswith("refused: no item model for entity 'Voucher' (VOUCHER#)")


def test_make_events_refuses_an_example_its_schema_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(detail_type: DetailType) -> Event:
        event = example_event(detail_type)
        if detail_type.name == "ProductUpdated":
            event["detail"]["data"]["stock"] = "eight"
        return event

    monkeypatch.setattr(catalog, "example_event", broken)
    monkeypatch.setattr(catalog, "dev_templates", lambda: pytest.fail("must refuse before synthesizing"))
    out = io.StringIO()
    assert catalog.main(["--check"], out=out) == 1
    assert "ProductUpdated example: detail/data/stock: 'eight' is not of type 'integer'" in out.getvalue()
