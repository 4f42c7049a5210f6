"""The app's Momento cache as any client of Momento's HTTP API reaches it: `GET` and `DELETE /cache/<cache>?key=`
(https://docs.momentohq.com/cache/develop/api-reference/http-api), with the API key from the environment's secret."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote

from stacks.config import EnvironmentConfig


@dataclass(frozen=True)
class MomentoCache:
    endpoint: str
    cache_name: str
    api_key: str

    @classmethod
    def of(cls, config: EnvironmentConfig, client: Callable[[str], Any]) -> MomentoCache:
        """The environment's cache, with the API key its secret holds (the same the API destinations use)."""
        secret = client("secretsmanager").get_secret_value(SecretId=config.cache.api_key_secret_name)
        return cls(config.cache.endpoint, config.cache.cache_name, str(secret["SecretString"]))

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            with urllib.request.urlopen(self._request("GET", key), timeout=10) as response:
                value: dict[str, Any] = json.loads(response.read())
                return value
        except HTTPError as error:
            if error.code == 404:
                return None
            raise

    def delete(self, key: str) -> None:
        """Removes the entry; deleting an entry that is not there succeeds too (Momento answers 204 either way)."""
        with urllib.request.urlopen(self._request("DELETE", key), timeout=10):
            pass

    def _request(self, method: str, key: str) -> urllib.request.Request:
        return urllib.request.Request(
            f"{self.endpoint}/cache/{quote(self.cache_name)}?key={quote(key)}",
            headers={"Authorization": self.api_key},
            method=method,
        )
