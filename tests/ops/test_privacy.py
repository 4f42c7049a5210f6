"""ops.privacy against a moto table made from the Data stack's template, seeded with the production builders: the
erasure removes exactly the declared personal fields, keeps its record, is idempotent; export shows everything."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdas.intake.repository import order_item
from lambdas.intake.submission import OrderSubmission
from lambdas.shared.catalogue import customer_item
from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.dynamodb_json import item_to_json
from lambdas.shared.entities import CUSTOMER, ORDER
from lambdas.shared.personal_data import ERASURE_ATTRIBUTE
from lambdas.shared.table import item_key
from lambdas.shared.validation import converted
from ops.deployed_app import DeployedApp
from ops.momento_cache import MomentoCache
from ops.privacy import cli
from ops.privacy.holdings import holdings
from stacks.names import Output
from tests.support.synth import synthesize
from tests.support.workflow_harness import REGION, TABLE_NAME, create_table_from_template

NAME, EMAIL = "Grace Hopper", "grace@example.com"
OPERATOR = "arn:aws:sts::123456789012:assumed-role/Operator/alice"


class Cache:
    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []

    def get(self, key: str) -> dict[str, Any] | None:
        return self.entries.get(key)

    def delete(self, key: str) -> None:
        self.deleted.append(key)
        self.entries.pop(key, None)


class Sts:
    def get_caller_identity(self) -> dict[str, str]:
        return {"Arn": OPERATOR}


PEOPLE = {"c-7": (NAME, EMAIL), "c-8": ("Other Person", "other@example.com")}


def order(order_id: str, customer_id: str, at: datetime) -> dict[str, Any]:
    line = {"sku": "p-1", "quantity": 1, "unitPriceMinor": 100}
    body = {"orderId": order_id, "customerId": customer_id, "currency": "EUR", "lineItems": [line]}
    submission = converted(body, OrderSubmission)
    name, email = PEOPLE[customer_id]
    snapshot = CustomerSnapshot(customer_id=customer_id, name=name, email=email, tier="gold")
    return order_item(submission, f"corr-{order_id}", at, snapshot)


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table_from_template(dynamodb, synthesize("dev").template("Data"))
        for customer_id, (name, email) in PEOPLE.items():
            dynamodb.put_item(TableName=TABLE_NAME, Item=customer_item(customer_id, name, email, "gold"))
        for number, customer in ((1, "c-7"), (2, "c-7"), (3, "c-8")):
            placed = datetime(2026, 12, 7, 10, number, tzinfo=UTC)
            dynamodb.put_item(TableName=TABLE_NAME, Item=order(f"o-{number}", customer, placed))
        yield dynamodb


def command(table: Any, monkeypatch: pytest.MonkeyPatch, cache: Cache, *argv: str) -> tuple[int, str, str]:
    clients = {"dynamodb": table, "sts": Sts()}
    outputs = {Output.TABLE_NAME: TABLE_NAME, Output.EVENT_STORE_TABLE_NAME: "store"}
    monkeypatch.setattr(cli, "client_factory", lambda _config: clients.__getitem__)
    monkeypatch.setattr(DeployedApp, "find", classmethod(lambda _cls, _client, _env: outputs))
    monkeypatch.setattr(MomentoCache, "of", classmethod(lambda _cls, _config, _client: cache))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--env", "dev", *argv], out=out, err=err, ask=lambda _prompt: "y")
    return code, out.getvalue(), err.getvalue()


def everything(table: Any) -> str:
    return json.dumps(table.scan(TableName=TABLE_NAME)["Items"])


def test_erase_removes_the_customers_personal_fields_everywhere_in_the_table_and_nobody_elses(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache()
    code, out, _ = command(table, monkeypatch, cache, "erase", "--customer", "c-7")
    assert code == 0
    assert out.splitlines()[0].startswith("erase customer c-7: remove name, email from its item, the personal fields "
                                          "of 2 order snapshots, and the cache entries of 2 orders")  # fmt: skip
    assert "erased customer c-7: name, email removed from its item and from 2 order snapshots; 2 cache entries" in out
    assert NAME not in everything(table)
    assert EMAIL not in everything(table)
    assert "other@example.com" in everything(table)  # another customer's, and their order's, are left alone
    assert cache.deleted == ["o-1", "o-2"]
    customer = item_to_json(table.get_item(TableName=TABLE_NAME, Key=item_key(CUSTOMER, "c-7"))["Item"])
    assert customer[ERASURE_ATTRIBUTE] == {"erasedAt": customer[ERASURE_ATTRIBUTE]["erasedAt"], "erasedBy": OPERATOR,
                                           "fields": ["name", "email"], "orders": 2}  # fmt: skip
    assert customer["tier"] == "gold"
    erased = item_to_json(table.get_item(TableName=TABLE_NAME, Key=item_key(ORDER, "o-1"))["Item"])
    assert erased["customer"] == {"customerId": "c-7", "tier": "gold"}
    assert erased["status"] == "PENDING"  # nothing else of the order changed


def test_erase_again_says_so_and_changes_nothing(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    command(table, monkeypatch, Cache(), "erase", "--customer", "c-7", "--yes")
    before = everything(table)
    code, out, _ = command(table, monkeypatch, Cache(), "erase", "--customer", "c-7", "--yes")
    assert code == 0
    assert out.startswith("customer c-7 was erased on 20")
    assert out.rstrip().endswith(f"by {OPERATOR}: nothing left to erase")
    assert everything(table) == before


def test_a_dry_run_changes_nothing_and_an_unknown_customer_is_one_line(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = everything(table)
    code, out, _ = command(table, monkeypatch, Cache(), "erase", "--customer", "c-7", "--dry-run")
    assert (code, everything(table)) == (0, before)
    assert out.startswith("would erase customer c-7")
    code, out, err = command(table, monkeypatch, Cache(), "erase", "--customer", "nobody", "--yes")
    assert (code, out) == (1, "")
    assert err == "error: no customer 'nobody' in the table of environment 'dev'\n"


def test_export_prints_the_customer_their_orders_events_and_cache(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache()
    cache.entries["o-1"] = {"orderId": "o-1", "status": "SHIPPED"}

    class Store:
        def aggregate(self, entity: str, entity_id: str) -> list[Any]:
            return []

    monkeypatch.setattr(cli, "EventStore", lambda _client, _name: Store())
    code, out, _ = command(table, monkeypatch, cache, "export", "--customer", "c-7")
    document = json.loads(out)
    assert code == 0
    assert document["customer"]["email"] == EMAIL  # an export shows what is held, personal data included
    assert [o["orderId"] for o in document["orders"]] == ["o-1", "o-2"]
    assert sorted(document["events"]) == ["Customer#c-7", "Order#o-1", "Order#o-2"]
    assert document["cache"] == {"o-1": {"orderId": "o-1", "status": "SHIPPED"}, "o-2": None}


def test_orders_are_found_through_the_by_customer_index(table: Any) -> None:
    found = holdings(table, TABLE_NAME, "c-7")
    assert found is not None
    assert found.order_ids() == ["o-1", "o-2"]
    assert found.personal_fields() == ["name", "email"]
