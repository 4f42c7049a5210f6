"""Property: whatever producers send, the intake never raises and every message ends in exactly one place:
written (its exact submission is in the table), rejected (with a reason), or reported for retry. None disappears.

The handler runs against in-memory fakes of the table and the rejected queue (devtools/fake_aws.py): the
property is about the handler's decisions, and moto's DynamoDB and SQS behaviour for the same calls is covered by
tests/lambdas/test_intake.py. That made 300 examples about 10 times cheaper without generating fewer.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from devtools.fake_aws import FakeDynamoDB, FakeSqs
from lambdas.customer_snapshot import handler as customer_lookup
from lambdas.customer_snapshot.repository import Customers
from lambdas.intake import handler as intake
from lambdas.intake.repository import Orders, RejectedMessages
from lambdas.intake.submission import OrderSubmission, Rejected, parse_submission
from tests.support.intake import Intake
from tests.support.seed import customer_item
from tests.support.workflow_harness import TABLE_NAME

REJECTED_URL = "https://sqs.local/123456789012/rejected"
KNOWN_CUSTOMER = "c-1"

# The report below reads what the property counted: both run in one process, in file order (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("intake-properties")
MESSAGE_IDS = itertools.count()

ids = st.sampled_from([f"o-{n}" for n in range(40)])  # a bounded pool: duplicates and conflicts do happen
line_items = st.lists(
    st.fixed_dictionaries(
        {
            "sku": st.sampled_from(["p-1", "p-2", "p-3"]),
            "quantity": st.integers(min_value=1, max_value=5),
            "unitPriceMinor": st.sampled_from([0, 1, 999, 1500]),
        }
    ),
    min_size=1,
    max_size=3,
)
valid_bodies = st.fixed_dictionaries(
    {"orderId": ids, "customerId": st.sampled_from(["c-1", "c-2"]), "currency": st.sampled_from(["EUR", "USD"]),
     "lineItems": line_items},
    optional={"correlationId": st.text("abcdef-0123456789", min_size=1, max_size=12)},
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
mutated_bodies = st.tuples(valid_bodies, st.sampled_from(["orderId", "customerId", "currency", "lineItems"]),
                           json_values).map(lambda t: {**t[0], t[1]: t[2]})  # fmt: skip
bodies = st.one_of(
    valid_bodies.map(json.dumps),
    valid_bodies.map(json.dumps),
    mutated_bodies.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=200),
    st.binary(max_size=100).map(lambda b: b.decode("latin-1")),
    st.just(json.dumps({"orderId": "o-1", "note": "x" * 70_000})),
)
one_in_five = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)
batches = st.lists(st.tuples(bodies, one_in_five), min_size=1, max_size=10)  # (body, whether its write throttles)


def expected_submission(body: str) -> OrderSubmission | None:
    try:
        return parse_submission(body)
    except Rejected:
        return None


@pytest.fixture
def pipeline(monkeypatch: pytest.MonkeyPatch) -> Intake:
    """c-1 is a customer; c-2 is not, so its orders are rejected by the pipe's lookup."""
    table, sqs = FakeDynamoDB(), FakeSqs()
    table.put_item(TableName=TABLE_NAME, Item=customer_item(KNOWN_CUSTOMER))
    monkeypatch.setattr(
        intake, "_dependencies", lambda: (Orders(TABLE_NAME, table), RejectedMessages(REJECTED_URL, sqs))
    )
    monkeypatch.setattr(customer_lookup, "_dependencies", lambda: Customers(TABLE_NAME, table))
    return Intake(table, sqs, REJECTED_URL)


@pytest.fixture
def throttle(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Bodies in this set get a throttled write, as if DynamoDB were under pressure."""
    throttled: set[str] = set()
    original = Orders.write_once

    def maybe_throttled(self: Orders, submission: OrderSubmission, correlation_id: str, **snapshot: Any) -> Any:
        if submission.fingerprint() in throttled:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "PutItem")
        return original(self, submission, correlation_id, **snapshot)

    monkeypatch.setattr(Orders, "write_once", maybe_throttled)
    return throttled


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches)
def test_every_message_is_written_rejected_or_retried(
    pipeline: Intake, throttle: set[str], batch: list[tuple[str, bool]]
) -> None:
    records = []
    for body, throttled in batch:
        message_id = f"m-{next(MESSAGE_IDS)}"
        submission = expected_submission(body)
        if throttled and submission is not None:
            throttle.add(submission.fingerprint())
        records.append({"messageId": message_id, "body": body})

    result = pipeline.deliver_rendered(records)  # never raises: that is part of the property
    throttle.clear()

    retried = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
    rejected = {rejection["messageId"]: rejection["reason"] for rejection in pipeline.rejections()}
    items = {item["orderId"]["S"]: item for item in pipeline.orders().values()}
    for record in records:
        message_id, submission = record["messageId"], expected_submission(record["body"])
        places = [message_id in retried, message_id in rejected]
        written = (
            submission is not None
            and submission.order_id in items
            and items[submission.order_id]["submissionFingerprint"]["S"] == submission.fingerprint()
        )
        if message_id in rejected:
            assert rejected[message_id], "a rejection without a reason"
            if submission is not None and submission.customer_id != KNOWN_CUSTOMER:
                assert rejected[message_id] == f"unknown customer {submission.customer_id!r}"
                outcome = "unknown customer"
            else:
                outcome = "conflict" if submission is not None else "rejected"
        elif message_id in retried:
            outcome = "retried"
        else:
            assert written, f"{message_id} vanished: not written, rejected or retried"
            assert items[submission.order_id]["customer"]["M"]["customerId"] == {"S": KNOWN_CUSTOMER}  # type: ignore[union-attr]
            outcome = "written"
        assert sum(places) <= 1, f"{message_id} ended in more than one place"
        event(outcome)  # `pytest --hypothesis-show-statistics` shows what the generated messages became
