"""A stand-in for Momento's HTTP API on loopback, answering as Momento documents it, and logging every request.

Momento's HTTP API reference (docs.momentohq.com, "HTTP API Reference for Momento Cache" and "... Topics"):
- `PUT /cache/{cache}?key=<key>&ttl_seconds=<n>` stores the body: 204; `GET` returns it (200) or a miss (404);
  `DELETE /cache/{cache}?key=<key>`: 204. `POST /topics/{cache}/{topic}` publishes a text/plain or
  application/octet-stream body: 204.
- The API key comes in the `Authorization` header or the `token` query parameter; both at once is a 400, neither a
  401. An unknown cache is a 404.
Every request is appended as one JSON line (method, path, query, headers with the key's value withheld, body,
status) to the request log, which the smoke scenario reads. This is a development tool: it keeps values in memory.

    python -m local_cloud.momento_standin --port 4567 --cache orders-dev --log .local/cache-requests.jsonl
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from local_cloud.settings import LOOPBACK

WITHHELD = "<withheld>"
# What the Topics reference lists for a publish body; anything else is answered 400 here (what Momento itself does
# with another type is not documented, so the app sends one of these and the stand-in holds it to that).
PUBLISHABLE = frozenset(("text/plain", "application/octet-stream"))


@dataclass
class MomentoStandIn:
    """The state and rules of the stand-in, free of HTTP so that they can be tested directly."""

    caches: frozenset[str]
    request_log: Path
    values: dict[tuple[str, str], tuple[bytes, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        url = urlsplit(target)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        status, payload = self._route(method, url.path, query, headers, body)
        self._log(
            {
                "time": round(time.time(), 3),
                "method": method,
                "path": url.path,
                "query": {name: WITHHELD if name == "token" else value for name, value in query.items()},
                "headers": {name: WITHHELD if name == "authorization" else value for name, value in headers.items()},
                "body": body.decode(errors="replace"),
                "status": int(status),
            }
        )
        return status, payload

    def _route(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        has_header = bool(headers.get("authorization"))
        if has_header and "token" in query:
            return HTTPStatus.BAD_REQUEST, b"provide the API key in the Authorization header or token, not both"
        if not has_header and not query.get("token"):
            return HTTPStatus.UNAUTHORIZED, b"missing API key"
        parts = path.strip("/").split("/")
        if parts[0] == "cache" and len(parts) == 2:
            return self._cache(method, parts[1], query, body)
        if parts[0] == "topics" and len(parts) == 3 and method == "POST":
            return self._known(parts[1]) or self._publish(headers)
        return HTTPStatus.NOT_FOUND, b"no such operation"

    @staticmethod
    def _publish(headers: dict[str, str]) -> tuple[int, bytes]:
        content_type = headers.get("content-type", "").split(";")[0].strip()
        if content_type not in PUBLISHABLE:
            return HTTPStatus.BAD_REQUEST, f"unsupported content type {content_type!r}".encode()
        return HTTPStatus.NO_CONTENT, b""

    def _known(self, cache_name: str) -> tuple[int, bytes] | None:
        return None if cache_name in self.caches else (HTTPStatus.NOT_FOUND, b"Cache not found")

    def _cache(self, method: str, cache_name: str, query: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if unknown := self._known(cache_name):
            return unknown
        key = query.get("key")
        if not key:
            return HTTPStatus.BAD_REQUEST, b"missing key"
        with self._lock:
            if method == "PUT":
                return self._set(cache_name, key, query.get("ttl_seconds", ""), body)
            if method == "DELETE":
                self.values.pop((cache_name, key), None)
                return HTTPStatus.NO_CONTENT, b""
            if method == "GET":
                value, expires = self.values.get((cache_name, key), (b"", 0.0))
                return (HTTPStatus.OK, value) if expires > time.time() else (HTTPStatus.NOT_FOUND, b"")
        return HTTPStatus.METHOD_NOT_ALLOWED, b""

    def _set(self, cache_name: str, key: str, ttl: str, body: bytes) -> tuple[int, bytes]:
        if not ttl.isdigit() or int(ttl) < 1:
            return HTTPStatus.BAD_REQUEST, b"ttl_seconds must be a positive integer"
        self.values[(cache_name, key)] = (body, time.time() + int(ttl))
        return HTTPStatus.NO_CONTENT, b""

    def _log(self, entry: dict[str, Any]) -> None:
        """One JSON line per request; the API key's value never reaches the file."""
        with self._lock, self.request_log.open("a") as log:
            log.write(json.dumps(entry, sort_keys=True) + "\n")


def handler_for(stand_in: MomentoStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "MomentoStandIn/1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, payload = stand_in.answer(self.command, self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_DELETE = do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:  # the request log replaces the access log
            return

    return Handler


def serve(port: int, caches: Sequence[str], request_log: Path) -> None:
    request_log.parent.mkdir(parents=True, exist_ok=True)
    request_log.touch()
    server = ThreadingHTTPServer((LOOPBACK, port), handler_for(MomentoStandIn(frozenset(caches), request_log)))
    print(f"Momento stand-in on http://{LOOPBACK}:{port}, caches {', '.join(caches)}, log {request_log}", flush=True)
    server.serve_forever()


def main(argv: Sequence[str] | None = None) -> None:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.momento_standin", description=__doc__.splitlines()[0])
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--cache", action="append", required=True, help="a cache that exists (repeatable)")
    cli.add_argument("--log", type=Path, required=True, help="the JSON-lines request log")
    args = cli.parse_args(argv)
    serve(args.port, args.cache, args.log)


if __name__ == "__main__":
    main()
