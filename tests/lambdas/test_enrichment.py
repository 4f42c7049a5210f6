"""The enrichment handler over the stream-record fixture library: exact envelopes, or failure with the reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.enrichment.batch import UnpublishableRecordsError
from lambdas.enrichment.envelope import MAX_EVENT_BYTES, RejectedRecordError, envelope
from lambdas.enrichment.handler import handler
from lambdas.shared.catalogue import product_item
from lambdas.shared.dynamodb_json import attribute_to_json, number
from lambdas.shared.table_keys import INDEX_ATTRIBUTES
from tests.support.events import expected_envelope, stream_record, stream_record_names

REJECTED = {
    "order_remove_ttl_expiry": "TTL expiry is not a deletion",
    "unknown_prefix_insert": "partition key 'AUDIT#x-1' has no known entity prefix",
    "order_insert_missing_new_image": "INSERT record has no NewImage",
}
PUBLISHED = [name for name in stream_record_names() if name not in REJECTED]


def test_every_fixture_has_an_expectation() -> None:
    assert PUBLISHED
    for name in PUBLISHED:
        assert expected_envelope(name) is not None, f"tests/fixtures/envelopes/{name}.json is missing"


@pytest.mark.parametrize("name", PUBLISHED)
def test_fixture_becomes_its_exact_envelope(name: str, lambda_context: FakeLambdaContext) -> None:
    [result] = handler([stream_record(name)], lambda_context)
    assert result == expected_envelope(name)


@pytest.mark.parametrize(("name", "reason"), REJECTED.items())
def test_fixture_is_rejected_with_its_reason(name: str, reason: str, lambda_context: FakeLambdaContext) -> None:
    record = stream_record(name)
    with pytest.raises(UnpublishableRecordsError) as error:
        handler([record], lambda_context)
    assert f"1 of 1 stream records cannot become events: {record['eventID']}" in str(error.value)
    assert reason in str(error.value)


def test_one_bad_record_fails_the_batch_naming_only_it(
    lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    batch = [stream_record("order_insert"), stream_record("unknown_prefix_insert"), stream_record("customer_insert")]
    with pytest.raises(UnpublishableRecordsError) as error:
        handler(batch, lambda_context)
    message = str(error.value)
    assert message.startswith("1 of 3 stream records cannot become events: 01b2c3d4e5f60718293a4b5c6d7e8f96 (sequence")
    assert "a1b2c3d4" not in message

    [rejection] = [r for r in caplog.records if r.getMessage() == "Stream record cannot become an event"]
    assert rejection.levelname == "ERROR"
    assert rejection.eventID == "01b2c3d4e5f60718293a4b5c6d7e8f96"  # type: ignore[attr-defined]
    assert rejection.sequenceNumber == "100000000000000000007"  # type: ignore[attr-defined]
    assert "no known entity prefix" in rejection.reason  # type: ignore[attr-defined]
    emf = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line)
    assert emf["StreamRecordsRejected"] == [1.0]


def test_batch_keeps_order_and_counts_events(
    lambda_context: FakeLambdaContext, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["order_insert", "order_modify", "order_remove_by_user", "customer_insert"]
    results = handler([stream_record(name) for name in names], lambda_context)
    assert [r["metadata"]["eventId"] for r in results] == [stream_record(n)["eventID"] for n in names]
    emf = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line)
    assert emf["StreamRecordsEnriched"] == [4.0]


def test_empty_batch_is_an_empty_array(lambda_context: FakeLambdaContext) -> None:
    assert handler([], lambda_context) == []


def test_not_a_batch_is_rejected(lambda_context: FakeLambdaContext) -> None:
    with pytest.raises(UnpublishableRecordsError, match="expected the pipe's batch"):
        handler(stream_record("order_insert"), lambda_context)


def test_serialized_numbers_keep_every_digit() -> None:
    """What the Lambda runtime sends back is json.dumps of the result: the exact digits must survive it."""
    text = json.dumps(envelope(stream_record("product_every_type")))
    assert '"views": 123456789012345678901234567890' in text
    assert '"weightKg": 0.1' in text
    assert '"priceMinor": 1999' in text
    assert '"pi": "3.1415926535897932384626433832795028"' in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-7", -7),
        ("12999", 12999),
        ("99999999999999999999999999999999999999", 99999999999999999999999999999999999999),
        ("1E+3", 1000),
        ("2.50", 2.5),
        ("0.1", 0.1),
        ("-0.000001", -0.000001),
        ("1.5E-7", 1.5e-7),
        ("1E+125", 10**125),
    ],
)
def test_numbers_are_exact(text: str, expected: int | float) -> None:
    result = number(text)
    assert result == expected
    assert type(result) is type(expected)


def test_number_no_double_can_hold_is_kept_as_string_and_reported() -> None:
    reported: list[str] = []
    assert number("0.12345678901234567890123", "a.b", reported.append) == "0.12345678901234567890123"
    assert reported == ["a.b"]


def test_unknown_attribute_type_is_rejected() -> None:
    record = stream_record("customer_insert")
    record["dynamodb"]["NewImage"]["weird"] = {"X": "1"}
    with pytest.raises(RejectedRecordError, match="attribute weird has unknown DynamoDB type 'X'"):
        envelope(record)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: r.pop("eventID"), "not a DynamoDB stream record"),
        (lambda r: r.update(eventName="UPSERT"), "not a DynamoDB stream record"),
        (lambda r: r["dynamodb"].pop("SequenceNumber"), "lacks ApproximateCreationDateTime or SequenceNumber"),
        (lambda r: r["dynamodb"]["Keys"].pop("pk"), "no string partition key 'pk'"),
    ],
)
def test_malformed_records_are_rejected(mutate: Any, reason: str) -> None:
    record = stream_record("order_insert")
    mutate(record)
    with pytest.raises(RejectedRecordError, match=reason):
        envelope(record)


def test_item_too_large_for_eventbridge_is_rejected() -> None:
    record = stream_record("order_modify")
    record["dynamodb"]["SizeBytes"] = 300_000
    record["dynamodb"]["NewImage"]["notes"] = {"S": "x" * MAX_EVENT_BYTES}
    with pytest.raises(RejectedRecordError, match=f"exceeds EventBridge's {MAX_EVENT_BYTES} byte limit"):
        envelope(record)


def test_nested_sets_are_sorted() -> None:
    assert attribute_to_json({"M": {"s": {"NS": ["10", "-1", "2.5"]}, "b": {"SS": ["z", "a"]}}}) == {
        "s": [-1, 2.5, 10],
        "b": ["a", "z"],
    }


def product_change(before: dict[str, Any], after: dict[str, Any], event_id: str) -> dict[str, Any]:
    """A MODIFY of a product item, as the table's stream hands it on (both images)."""
    record = stream_record("order_modify")
    record["eventID"] = event_id
    record["dynamodb"].update(Keys={"pk": before["pk"], "sk": before["sk"]}, OldImage=before, NewImage=after)
    return record


def test_a_products_stock_only_change_is_no_event_but_any_other_change_is(lambda_context: FakeLambdaContext) -> None:
    """schemaVersion 2: a reservation or release is on the order's events, not a ProductUpdated (decision 30)."""
    product = product_item("p-1", 10, 4500)
    reserved = {**product, "stock": {"N": "8"}}
    repriced = {**reserved, "priceMinor": {"N": "4900"}}
    repriced_and_reserved = {**repriced, "stock": {"N": "7"}}
    batch = [
        product_change(product, reserved, "stock-only"),
        product_change(reserved, repriced, "price"),
        product_change(repriced, repriced_and_reserved, "stock-only-again"),
        product_change(repriced_and_reserved, {**repriced_and_reserved, "priceMinor": {"N": "1"}, "stock": {"N": "6"}},
                       "price-and-stock"),
        stream_record("order_modify"),
    ]  # fmt: skip

    results = handler(batch, lambda_context)

    assert [r["metadata"]["eventId"] for r in results] == [
        "price",
        "price-and-stock",
        stream_record("order_modify")["eventID"],
    ]
    assert results[0]["data"]["stock"] == 8  # a catalogue change still says the stock at that moment


def test_an_event_leaves_out_the_tables_index_attributes() -> None:
    """gsi1pk, gsi1sk, openShard and openSince place an order in the table's indexes; no consumer needs them, and
    every event, its archived, logged and stored copies were paying for them twice (docs/decisions.md 31)."""
    record = stream_record("order_modify")
    images = [record["dynamodb"]["NewImage"], record["dynamodb"]["OldImage"]]
    assert all(INDEX_ATTRIBUTES & set(image) for image in images)  # the fixture has them: the test tests something
    event = envelope(record)
    assert not INDEX_ATTRIBUTES & (set(event["data"]) | set(event["previous"]))
    assert event["data"]["pk"] == event["metadata"]["keys"]["pk"]


def test_an_events_version_is_its_items_and_an_item_without_one_publishes_none() -> None:
    """`metadata.version` is the item's after the change (before it, for a deletion); an item a writer outside the
    app wrote without `version` (the fixtures' are such) publishes an event without it (lambdas/shared/versions.py)."""
    record = stream_record("order_modify")
    assert "version" not in envelope(record)["metadata"]
    record["dynamodb"]["OldImage"]["version"] = {"N": "4"}
    record["dynamodb"]["NewImage"]["version"] = {"N": "5"}
    record["dynamodb"]["NewImage"]["causationId"] = {"S": "evt-9"}
    assert (envelope(record)["metadata"]["version"], envelope(record)["metadata"]["causationId"]) == (5, "evt-9")
    removed = stream_record("order_remove_by_user")
    removed["dynamodb"]["OldImage"]["version"] = {"N": "7"}
    assert envelope(removed)["metadata"]["version"] == 7
