"""The synthesized order workflow in moto, with a customer and three products (tests/support/workflow_paths.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.seed import customer_item, product_item
from tests.support.synth import synthesize
from tests.support.workflow_harness import WorkflowHarness, workflow_harness
from tests.support.workflow_paths import SKUS


@pytest.fixture
def workflow(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkflowHarness]:
    synthesized = synthesize("dev")
    # The stream shows each write once: how often an order was shipped (its shipment is on it, decision 29).
    data, workflows = synthesized.template("Data"), synthesized.template("Workflows")
    with workflow_harness(monkeypatch, data, workflows, stream=True) as harness:
        harness.put(customer_item("c-1"))
        for sku, stock in SKUS.items():
            harness.put(product_item(sku, stock))
        yield harness
