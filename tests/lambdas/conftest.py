"""Handler fixtures: a moto table with the Data stack's key schema, and the intake pipeline around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.customer_snapshot import handler as customer_lookup
from lambdas.intake import handler as intake
from tests.support.intake import Intake
from tests.support.seed import customer_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import REGION, TABLE_NAME, create_table_from_template


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A DynamoDB client on an empty moto table named in TABLE_NAME."""
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table_from_template(client, synthesize("dev").template("Data"))
        yield client


@pytest.fixture
def pipeline(table: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Intake]:
    sqs = boto3.client("sqs", region_name=REGION)
    rejected_url = sqs.create_queue(QueueName="rejected")["QueueUrl"]
    monkeypatch.setenv("REJECTED_QUEUE_URL", rejected_url)
    table.put_item(TableName=TABLE_NAME, Item=customer_item("c-1", tier="gold"))  # the customer intake tests order for
    intake._dependencies.cache_clear()
    customer_lookup._dependencies.cache_clear()
    yield Intake(table, sqs, rejected_url)
    intake._dependencies.cache_clear()
    customer_lookup._dependencies.cache_clear()
