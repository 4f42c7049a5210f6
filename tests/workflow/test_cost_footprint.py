"""What one order causes, measured by running it: the per-order footprint `make cost` prices from
(devtools/cost/footprint.json).

Each outcome's order (built as intake writes it, with its customer's snapshot) runs through the synthesized state
machine in moto against a table with its stream. What is measured, never assumed:
- the states its execution enters and the functions it invokes;
- every write to the table, in order, from the stream (each is one record, so one bus event): its item before and
  after, whether a transaction made it, what it did to the keys of each GSI;
- each record's event as the enrichment builds it (`envelope`) and the bus delivers it, and its event-store item as
  the writer builds it (`stored_event`): their sizes, by the rules in devtools/cost/item_sizes.py;
- a transaction DynamoDB cancelled (its writes are listed as `cancelledWrites`: they write nothing, emit nothing).

`UPDATE_FOOTPRINT=1 pytest tests/workflow/test_cost_footprint.py` rewrites the file; otherwise the test fails when
the file and the run disagree (a new state, a new write, a bigger event), naming the outcome.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from devtools.cost.measured_writes import measured_write
from devtools.cost.reference_order import CUSTOMER_NAME, CUSTOMER_TIER, reference_id
from lambdas.intake.repository import order_item
from lambdas.intake.submission import OrderSubmission
from lambdas.shared.customer_snapshot import CustomerSnapshot
from lambdas.shared.orders import LineItem
from tests.support.seed import SEEDED_AT, customer_item, product_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import REGION, TABLE_NAME, WorkflowHarness, workflow_harness

FOOTPRINT_FILE = Path(__file__).resolve().parents[2] / "devtools" / "cost" / "footprint.json"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:123456789012:table/{TABLE_NAME}"
CUSTOMER_ID = reference_id("customer", "c-")
CUSTOMER = customer_item(CUSTOMER_ID, CUSTOMER_NAME, tier=CUSTOMER_TIER)
SKUS = {f"p-{number}": reference_id("sku", "p-", number) for number in (1, 2, 3, 404)}
# One order per outcome, each with the traffic profile's two distinct products where it has products at all.
ORDERS = {
    "shipped": [("p-1", 2, 4500), ("p-2", 1, 12900)],
    "backordered": [("p-1", 1, 4500), ("p-3", 5, 2500)],  # p-3 has 1 in stock
    "invalid": [("p-1", 1, 4500), ("p-404", 1, 100)],  # p-404 does not exist
}
ABOUT = (
    "What one accepted order causes, by how its workflow ends, measured by tests/workflow/test_cost_footprint.py: "
    "the synthesized state machine run in moto on an order built as intake writes it (two distinct products, the "
    "customer's snapshot), the table's stream read back. `writes` are the table's stream records in order (each one "
    "bus event), with the item's size before and after, whether a transaction wrote it, what it did to each GSI's "
    "keys, and the sizes of its event and of its event-store item as the enrichment and the writer build them. "
    "`cancelledWrites` are the items of a transaction DynamoDB cancelled; `historyBytes` the execution's history as "
    "logged at ALL, with and without execution data; `stateKinds` what each state of the definition calls. "
    "UPDATE_FOOTPRINT=1 rewrites this file."
)


def intake_order(outcome: str, lines: list[tuple[str, int, int]]) -> dict[str, Any]:
    correlation_id = reference_id("correlation", f"req-{outcome}-")
    submission = OrderSubmission(
        order_id=reference_id("order", f"o-{outcome}-"),
        customer_id=CUSTOMER_ID,
        currency="EUR",
        correlation_id=correlation_id,
        line_items=tuple(LineItem(sku=SKUS[sku], quantity=q, unit_price_minor=price) for sku, q, price in lines),
    )
    snapshot = CustomerSnapshot(
        customer_id=CUSTOMER_ID, name=CUSTOMER_NAME, email=f"{CUSTOMER_ID}@example.com", tier=CUSTOMER_TIER
    )
    return order_item(submission, correlation_id, SEEDED_AT, snapshot, reference_id("message", f"m-{outcome}-"))


@pytest.fixture
def workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkflowHarness]:
    synthesized = synthesize("dev")
    with workflow_harness(
        monkeypatch, synthesized.template("Data"), synthesized.template("Workflows"), stream=True
    ) as harness:
        harness.execution_name = lambda run: f"{run:08x}-1b2c-4d5e-8f90-a1b2c3d4e5f6-{run:08x}-0a1b-4c2d-9e3f-a4b5c6d7"
        harness.put(CUSTOMER)
        for sku, stock in {"p-1": 10, "p-2": 5, "p-3": 1}.items():
            harness.put(product_item(SKUS[sku], stock, 4500))
        yield harness


def measure(workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch, outcome: str) -> dict[str, Any]:
    cancelled: list[dict[str, Any]] = []
    original = DynamoDBBackend.transact_write_items

    def transact(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        before = len(workflow.stream_records())
        try:
            original(backend, transact_items)
        except Exception:
            cancelled.extend(transact_items)
            raise
        transactional.update(range(before, before + len(transact_items)))

    transactional: set[int] = set()
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", transact)
    seeded, called = len(workflow.stream_records()), len(workflow.invocations)
    order = intake_order(outcome, ORDERS[outcome])
    workflow.put(order)
    run = workflow.run(workflow.order_created_event_detail(order["orderId"]["S"]))
    assert run.status == "SUCCEEDED", run.cause
    records = workflow.stream_records()
    return {
        "states": run.states_entered,
        "lambdaCalls": {
            name: sum(1 for called_name, _ in workflow.invocations[called:] if called_name == function)
            for name, function in (("process_order", "process-order"), ("ship_order", "ship-order"))
        },
        "writes": [
            _write(record, position in transactional) for position, record in enumerate(records) if position >= seeded
        ],
        "cancelledWrites": len(cancelled),
        "historyBytes": _history_bytes(run.history, with_data=True),
        "historyBytesWithoutData": _history_bytes(run.history, with_data=False),
    }


DATA_FIELDS = {"input", "output", "parameters", "result", "inputDetails", "outputDetails"}


def _history_bytes(history: list[dict[str, Any]], *, with_data: bool) -> int:
    """What CloudWatch Logs receives from an execution logged at ALL: one record per history event, with or without
    its input and output (IncludeExecutionData)."""

    def kept(event: dict[str, Any]) -> dict[str, Any]:
        if with_data:
            return event
        return {
            key: ({k: v for k, v in value.items() if k not in DATA_FIELDS} if isinstance(value, dict) else value)
            for key, value in event.items()
        }

    return sum(len(json.dumps(kept(event), default=str)) for event in history)


def _write(record: dict[str, Any], transactional: bool) -> dict[str, Any]:
    record = json.loads(json.dumps(record, default=str))  # moto's datetimes as the stream's JSON carries them
    record["dynamodb"]["ApproximateCreationDateTime"] = SEEDED_AT.timestamp()
    record["awsRegion"] = REGION
    return measured_write(record, transactional=transactional, table_arn=TABLE_ARN)


SIZE_TOLERANCE = 0.02  # timestamps change what zlib makes of a stored event by a few bytes from run to run


def _alike(recorded: Any, measured: Any, key: str = "") -> bool:
    """Equal, but for sizes (`...Bytes...`) within SIZE_TOLERANCE."""
    if isinstance(recorded, dict) and isinstance(measured, dict):
        return recorded.keys() == measured.keys() and all(_alike(recorded[k], measured[k], k) for k in recorded)
    if isinstance(recorded, list) and isinstance(measured, list):
        return len(recorded) == len(measured) and all(
            _alike(r, m, key) for r, m in zip(recorded, measured, strict=True)
        )
    if key.endswith("Bytes") and isinstance(recorded, int) and isinstance(measured, int):
        return abs(recorded - measured) <= SIZE_TOLERANCE * max(recorded, measured, 1)
    return bool(recorded == measured)


def state_kinds(definition: str) -> dict[str, str]:
    """Each state of the definition by what it calls, which prices an EXPRESS execution's duration."""

    def kind(state: dict[str, Any]) -> str:
        resource = str(state.get("Resource", ""))
        if state["Type"] != "Task":
            return "other"
        return "lambda" if ":lambda:" in resource else "dynamodb" if "dynamodb" in resource else "other"

    return {name: kind(state) for name, state in sorted(json.loads(definition)["States"].items())}


def test_the_cost_models_footprint_is_what_an_order_causes(
    workflow: WorkflowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    measured: dict[str, Any] = {}
    for outcome in ORDERS:
        with monkeypatch.context() as patch:
            measured[outcome] = measure(workflow, patch, outcome)
    found = {"about": ABOUT, "outcomes": measured, "stateKinds": state_kinds(workflow.definition)}
    if os.environ.get("UPDATE_FOOTPRINT") == "1":
        FOOTPRINT_FILE.write_text(json.dumps(found, indent=1) + "\n")
    recorded = json.loads(FOOTPRINT_FILE.read_text())
    for outcome, run in measured.items():
        assert _alike(recorded["outcomes"].get(outcome), run), (
            f"devtools/cost/footprint.json is stale for '{outcome}': rerun with UPDATE_FOOTPRINT=1 and review the diff"
        )
    assert set(recorded["outcomes"]) == set(measured)
    assert recorded["stateKinds"] == found["stateKinds"], "stateKinds is stale: rerun with UPDATE_FOOTPRINT=1"
