"""No function logs a personal field: each runs on input that carries a customer's name and e-mail (the intake
lookup, intake, the stream enrichment, the event store), on its good and its bad paths, and what it printed and
logged is scanned for them. The workflow's functions: tests/workflow/test_no_personal_data_in_logs.py."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools.fake_lambda_context import FakeLambdaContext
from event_contract.examples import example_stream_record
from event_contract.schemas import DETAIL_TYPES
from lambdas.enrichment.batch import UnpublishableRecordsError
from lambdas.enrichment.handler import handler as enrichment
from lambdas.shared.catalogue import customer_item
from tests.support.event_store import create_store_table
from tests.support.events import bus_event
from tests.support.intake import Intake
from tests.support.logged import found_in_logs, logging_everything
from tests.support.workflow_harness import REGION, TABLE_NAME

NAME, EMAIL = "Zelda Privacyson", "zelda.privacyson@example.org"
EXAMPLE_PERSONAL = ("Ada Lovelace", "ada@example.com", "ada.lovelace@example.com")  # event_contract/examples.py


@pytest.fixture(autouse=True)
def everything_logged() -> Iterator[None]:
    with logging_everything():
        yield


def test_intake_and_its_customer_lookup(pipeline: Intake, capsys: pytest.CaptureFixture[str],
                                        caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    pipeline.table.put_item(TableName=TABLE_NAME, Item=customer_item("c-9", NAME, EMAIL, "gold"))
    erased = {k: v for k, v in customer_item("c-10", NAME, EMAIL).items() if k not in ("name", "email")}
    pipeline.table.put_item(TableName=TABLE_NAME, Item={**erased, "erasure": {"M": {"erasedAt": {"S": "x"}}}})
    line = {"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}
    pipeline.deliver(
        {"orderId": "o-1", "customerId": "c-9", "currency": "EUR", "lineItems": [line]},
        {"orderId": "o-2", "customerId": "c-9", "currency": "EUR", "lineItems": [{**line, "quantity": 0}]},
        {"orderId": "o-3", "customerId": "c-10", "currency": "EUR", "lineItems": [line]},
        {"orderId": "o-1", "customerId": "c-9", "currency": "EUR", "lineItems": [line]},  # again
    )
    assert sorted(pipeline.orders()) == ["o-1"]
    [erased_rejection] = [r for r in pipeline.rejections() if '"o-3"' in r["body"]]
    assert "personal data was erased" in json.dumps(erased_rejection)
    assert found_in_logs((NAME, EMAIL), capsys, caplog) == []


def test_the_stream_enrichment_on_every_change_and_on_a_record_it_refuses(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    records = [example_stream_record(d) for d in DETAIL_TYPES]
    enrichment(records, FakeLambdaContext())
    refused = copy.deepcopy(records[0])
    refused["dynamodb"]["NewImage"]["customer"]["M"]["avatar"] = {"XX": NAME}  # no DynamoDB type
    with pytest.raises(UnpublishableRecordsError):
        enrichment([refused], FakeLambdaContext())
    assert found_in_logs((*EXAMPLE_PERSONAL, NAME), capsys, caplog) == []


def test_the_event_store_writer(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    with mock_aws():
        store = create_store_table(boto3.client("dynamodb", region_name=REGION), monkeypatch)
        published = enrichment([example_stream_record(d) for d in DETAIL_TYPES], FakeLambdaContext())
        events: list[dict[str, Any]] = [bus_event(e) for e in published]
        store.deliver(*events, {"not": "an event"})
    assert found_in_logs(EXAMPLE_PERSONAL, capsys, caplog) == []
