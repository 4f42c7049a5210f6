"""A moto table with the Data stack's key schema, for handler tests that read or write the single table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

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
