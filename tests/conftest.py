"""Unit tests run offline: any attempt to open a network connection fails loudly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


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
