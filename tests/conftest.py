"""Unit tests run offline: any attempt to open a network connection fails loudly."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

import devtools  # noqa: F401 (silences jsii's Node 20 notice before any test loads aws_cdk)
from devtools.fake_lambda_context import FakeLambdaContext

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
# The tools' reports (ops/pictures.py) go to a folder of this run, not the repository's reports/.
_REPORTS = tempfile.mkdtemp(prefix="orders-reports-")
os.environ["ORDERS_REPORTS_DIR"] = _REPORTS
atexit.register(shutil.rmtree, _REPORTS, ignore_errors=True)
# jsii unpacks its packages into a cache in the home directory, and two processes writing it at once can corrupt it:
# each pytest-xdist worker (and each whole run) gets a cache of its own.
_JSII_CACHE = tempfile.mkdtemp(prefix=f"jsii-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = _JSII_CACHE
atexit.register(shutil.rmtree, _JSII_CACHE, ignore_errors=True)


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


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()
