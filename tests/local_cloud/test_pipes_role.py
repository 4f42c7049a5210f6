"""The runner's role session: assumed on first use and again before the session's hour runs out, so a long local
run never meets ExpiredToken (a pipe's credentials expired after 60 minutes while local-status said running)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from local_cloud.pipes.role import REFRESH_SECONDS, RoleSession
from local_cloud.settings import LocalCloud


class Sts:
    def __init__(self) -> None:
        self.assumed = 0

    def assume_role(self, **_: Any) -> dict[str, Any]:
        self.assumed += 1
        n = self.assumed
        return {"Credentials": {"AccessKeyId": f"key-{n}", "SecretAccessKey": "secret", "SessionToken": f"token-{n}"}}


def test_the_role_is_assumed_again_before_its_session_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    sts, now = Sts(), [1000.0]
    cloud = LocalCloud(4566)
    monkeypatch.setattr(LocalCloud, "client", lambda self, service: sts)
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    session = RoleSession(cloud, "arn:aws:iam::000000000000:role/pipe", "pipe")

    first = session.client("sqs")
    assert session.client("sqs") is first  # one session while it is fresh
    assert sts.assumed == 1
    now[0] += REFRESH_SECONDS + 1
    second = session.client("sqs")
    assert sts.assumed == 2
    assert second is not first
    assert second._request_signer._credentials.token == "token-2"
    assert REFRESH_SECONDS < 3600  # inside a role session's default hour
