"""Unit tests run offline: any attempt to open a network connection fails loudly."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

# Before any handler module is imported: Powertools reads these at import, boto3 clients at creation.
os.environ.update(
    {
        "POWERTOOLS_SERVICE_NAME": "orders-tests",
        "POWERTOOLS_METRICS_NAMESPACE": "Orders",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }
)
os.environ.pop("AWS_PROFILE", None)


class NetworkBlockedError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _block_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if request.node.get_closest_marker("network"):
        yield
        return

    def refuse(self: socket.socket, address: Any) -> None:
        if isinstance(address, str) or (isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost")):
            return socket_connect(self, address)
        raise NetworkBlockedError(f"unit tests may not connect to {address!r}")

    socket_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "network: the test needs a package registry (it really runs pip)")


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test-function"
    aws_request_id: str = "7e1f5a2c-0000-4000-8000-000000000001"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
