"""Momento's HTTP API as the cache sync calls it: `PUT` and `DELETE /cache/{cache}?key=` with the API key in the
`Authorization` header (https://docs.momentohq.com/cache/develop/api-reference/http-api). The key is read from
Secrets Manager, kept for a few minutes, and read again at once when Momento refuses it (a rotated key)."""

from __future__ import annotations

import time
import urllib.request
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

import boto3

KEY_KEPT_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 5.0
REFUSED_KEY = (401, 403)


class MomentoError(Exception):
    """Momento did not take the request; the record is retried, then dead-lettered."""


class ApiKey:
    def __init__(self, secret_name: str, client: Any = None) -> None:
        self._secret_name = secret_name
        self._client = client or boto3.client("secretsmanager")
        self._value: str | None = None
        self._read_at = 0.0

    def value(self, *, fresh: bool = False) -> str:
        if fresh or self._value is None or time.monotonic() - self._read_at > KEY_KEPT_SECONDS:
            self._value = str(self._client.get_secret_value(SecretId=self._secret_name)["SecretString"])
            self._read_at = time.monotonic()
        return self._value


class MomentoCache:
    def __init__(self, endpoint: str, cache_name: str, ttl_seconds: int, api_key: ApiKey) -> None:
        self._url = f"{endpoint}/cache/{quote(cache_name, safe='')}"
        self._ttl_seconds = ttl_seconds
        self._api_key = api_key

    def put(self, key: str, value: bytes) -> None:
        self._send("PUT", {"key": key, "ttl_seconds": str(self._ttl_seconds)}, value)

    def delete(self, key: str) -> None:
        """Deleting a key that is not there succeeds too (Momento answers 204 either way)."""
        self._send("DELETE", {"key": key}, None)

    def _send(self, method: str, query: dict[str, str], body: bytes | None) -> None:
        try:
            self._call(method, query, body, fresh_key=False)
        except HTTPError as error:
            if error.code not in REFUSED_KEY:
                raise MomentoError(f"{method} {query['key']}: Momento answered {error.code}") from error
            try:
                self._call(method, query, body, fresh_key=True)
            except HTTPError as again:
                raise MomentoError(f"{method} {query['key']}: Momento answered {again.code}") from again
        except OSError as error:  # refused, reset, timed out: Momento (or the way to it) is down
            raise MomentoError(f"{method} {query['key']}: {error}") from error

    def _call(self, method: str, query: dict[str, str], body: bytes | None, *, fresh_key: bool) -> None:
        request = urllib.request.Request(
            f"{self._url}?{urlencode(query)}",
            data=body,
            headers={"Authorization": self._api_key.value(fresh=fresh_key), "Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS):
            pass
