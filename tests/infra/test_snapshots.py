"""Snapshots of every stack's template for dev and prod, both of prod's regions (asset hashes masked).

staging has the shape of dev with prod's data protection: its snapshots would repeat dev's, so what staging differs
in is asserted in tests/infra/test_stacks.py (`test_staging_has_devs_shape_and_differs_in_its_settings`).

A snapshot shows what changed in review; the behaviour itself is pinned by the specific assertions in the other
tests. Refresh after an intended change with `.venv/bin/pytest tests/infra/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.names import Component, failover_stack_name
from tests.support.synth import synthesize
from tests.support.templates import masked_for_snapshot

COMPONENTS = [str(component) for component in Component]


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


def test_components_cover_every_stack() -> None:
    assert {f"Orders-dev-{component}" for component in COMPONENTS} == set(synthesize("dev").templates)


@pytest.mark.parametrize("env_name", ["dev", "prod"])
@pytest.mark.parametrize("component", COMPONENTS)
def test_template_snapshot(env_name: str, component: str, snapshot_json: SnapshotAssertion) -> None:
    assert masked_for_snapshot(synthesize(env_name).template(component)) == snapshot_json


@pytest.mark.parametrize("component", [c for c in COMPONENTS if c != Component.OPERATIONS])  # one dashboard
def test_standby_region_template_snapshot(component: str, snapshot_json: SnapshotAssertion) -> None:
    assert masked_for_snapshot(synthesize("prod").standby_template(component)) == snapshot_json


def test_failover_template_snapshot(snapshot_json: SnapshotAssertion) -> None:
    assert masked_for_snapshot(synthesize("prod").templates[failover_stack_name("prod")]) == snapshot_json
