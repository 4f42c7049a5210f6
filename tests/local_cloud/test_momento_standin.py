"""The Momento stand-in answers as Momento's HTTP API reference says, and logs every request without the key."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from local_cloud.momento_standin import WITHHELD, MomentoStandIn, handler_for

KEY = {"authorization": "secret-api-key"}


@pytest.fixture
def stand_in(tmp_path: Path) -> MomentoStandIn:
    return MomentoStandIn(frozenset({"orders"}), tmp_path / "requests.jsonl")


def test_set_get_delete_and_publish(stand_in: MomentoStandIn) -> None:
    assert stand_in.answer("PUT", "/cache/orders?key=o-1&ttl_seconds=60", KEY, b'{"status":"PENDING"}') == (204, b"")
    assert stand_in.answer("GET", "/cache/orders?key=o-1", KEY, b"") == (200, b'{"status":"PENDING"}')
    assert stand_in.answer("DELETE", "/cache/orders?key=o-1", KEY, b"") == (204, b"")
    assert stand_in.answer("GET", "/cache/orders?key=o-1", KEY, b"")[0] == 404
    text = KEY | {"content-type": "text/plain"}
    assert stand_in.answer("POST", "/topics/orders/changes", text, b"hello") == (204, b"")


@pytest.mark.parametrize(
    ("method", "target", "headers", "status"),
    [
        ("PUT", "/cache/orders?key=o-1&ttl_seconds=60", {}, 401),
        ("PUT", "/cache/orders?key=o-1&ttl_seconds=60&token=t", KEY, 400),
        ("PUT", "/cache/orders?key=o-1", KEY, 400),
        ("PUT", "/cache/orders?ttl_seconds=60", KEY, 400),
        ("PUT", "/cache/unknown?key=o-1&ttl_seconds=60", KEY, 404),
        ("POST", "/topics/unknown/changes", KEY | {"content-type": "text/plain"}, 404),
        ("POST", "/topics/orders/changes", KEY | {"content-type": "application/json; charset=utf-8"}, 400),
    ],
)
def test_refusals(stand_in: MomentoStandIn, method: str, target: str, headers: dict[str, str], status: int) -> None:
    assert stand_in.answer(method, target, headers, b"{}")[0] == status


def test_every_request_is_logged_without_the_key(stand_in: MomentoStandIn) -> None:
    stand_in.answer("PUT", "/cache/orders?key=o-1&ttl_seconds=60", KEY, b'{"a":1}')
    stand_in.answer("POST", "/topics/orders/changes?token=secret-token", {}, b"x")
    first, second = (json.loads(line) for line in stand_in.request_log.read_text().splitlines())
    assert first | {"time": 0} == {
        "time": 0, "method": "PUT", "path": "/cache/orders", "query": {"key": "o-1", "ttl_seconds": "60"},
        "headers": {"authorization": WITHHELD}, "body": '{"a":1}', "status": 204,
    }  # fmt: skip
    assert second["query"] == {"token": WITHHELD}
    assert "secret" not in stand_in.request_log.read_text()


@pytest.fixture
def server(stand_in: MomentoStandIn) -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(stand_in))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_over_http(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=5)
    connection.request("PUT", "/cache/orders?key=o-1&ttl_seconds=5", body=b"v", headers={"Authorization": "k"})
    assert connection.getresponse().status == 204
    connection.request("GET", "/cache/orders?key=o-1", headers={"Authorization": "k"})
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"v")
