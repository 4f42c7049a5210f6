"""The pipe's own IAM role: the runner calls the enrichment, the target, the source and the DLQ as that role, so the
emulator's IAM checks (AUTH=true) refuse what the role does not allow, as Pipes on AWS would fail."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3

from local_cloud.settings import CERTIFICATE, LocalCloud

REFRESH_SECONDS = 30 * 60  # well inside a role session's default hour


class RoleSession:
    def __init__(self, cloud: LocalCloud, role_arn: str, session_name: str) -> None:
        self._cloud = cloud
        self._role_arn = role_arn
        self._session_name = session_name[:64]
        self._clients: dict[str, Any] = {}
        self._since: float | None = None  # not 0.0: time.monotonic() counts from boot, so it can be < REFRESH
        self._lock = threading.Lock()  # a queue pipe handles several batches at once (workers.QueuePipeWorker)

    def client(self, service: str) -> Any:
        with self._lock:
            return self._client(service)

    def _client(self, service: str) -> Any:
        if self._since is None or time.monotonic() - self._since > REFRESH_SECONDS:
            self._clients.clear()
            credentials = self._cloud.client("sts").assume_role(
                RoleArn=self._role_arn, RoleSessionName=self._session_name
            )["Credentials"]
            self._session = boto3.session.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
                region_name=self._cloud.region,
            )
            self._since = time.monotonic()
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._cloud.endpoint_url, verify=str(CERTIFICATE)
            )
        return self._clients[service]
