"""Fixtures of the operator-tool tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dlq_world import World, dlq_world


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """Every kind of DLQ in moto, with ops.dlq pointed at it (tests/support/dlq_world.py)."""
    with dlq_world(monkeypatch) as made:
        yield made
