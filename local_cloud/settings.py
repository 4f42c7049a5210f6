"""Where the local cloud lives on disk and on the network, and how its clients reach it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3

from stacks.config import ENVIRONMENTS_CONTEXT_KEY, EnvironmentConfig
from stacks.config_loading import load_environment_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = PROJECT_ROOT / ".local"
EMULATOR_VENV = LOCAL_DIR / "emulator-venv"
EMULATOR_REQUIREMENTS = PROJECT_ROOT / "requirements-emulator.txt"
ASSEMBLY_DIR = LOCAL_DIR / "cdk.out"
OUTPUTS_FILE = LOCAL_DIR / "outputs.json"
CACHE_REQUESTS_FILE = LOCAL_DIR / "cache-requests.jsonl"
RUNNER_READY_FILE = LOCAL_DIR / "pipes-runner.ready"
CDK_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"
# The emulator serves TLS: the stacks' resource policies deny any request not made over TLS (enforceSSL), and the
# emulator enforces IAM, so plain http would be refused as it would be on AWS.
CERTIFICATE = LOCAL_DIR / "tls" / "server.crt"
PRIVATE_KEY = LOCAL_DIR / "tls" / "server.key"

LOCAL_ENV = "local"
DEFAULT_PORT = 4566
LOOPBACK = "127.0.0.1"
# The emulator takes any credentials; a non-numeric key id makes it answer as the local account (000000000000).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


class LocalCloudError(Exception):
    """Something the person running the local cloud can act on; the message says what failed and where to look."""


@cache
def local_config() -> EnvironmentConfig:
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return load_environment_config(context[ENVIRONMENTS_CONTEXT_KEY], LOCAL_ENV, environ={})


@dataclass(frozen=True)
class LocalCloud:
    """The emulator's endpoint and the local environment it hosts."""

    port: int = DEFAULT_PORT

    @property
    def endpoint_url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    @property
    def region(self) -> str:
        return str(local_config().region)

    @property
    def account(self) -> str:
        return str(local_config().account)

    @property
    def momento_port(self) -> int:
        """The Momento stand-in listens where the local environment's `cache.endpoint` points."""
        endpoint = urlsplit(local_config().cache.endpoint)
        if endpoint.hostname is None or endpoint.port is None:
            raise LocalCloudError(f"the local environment's cache.endpoint needs a host and port: {endpoint.geturl()}")
        return endpoint.port

    def client_environment(self) -> dict[str, str]:
        """Environment for a child process (the CDK CLI, the AWS CLI) that must talk to the emulator only."""
        environ = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        return {
            **environ,
            **CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_CA_BUNDLE": str(CERTIFICATE),
            "NODE_EXTRA_CA_CERTS": str(CERTIFICATE),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }

    def use_in_this_process(self) -> None:
        """Points this process's AWS clients (the on-call tools it calls in-process) at the emulator, with its test
        credentials, never a real account's."""
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update({**CREDENTIALS, "AWS_REGION": self.region, "AWS_ENDPOINT_URL": self.endpoint_url,
                           "AWS_CA_BUNDLE": str(CERTIFICATE)})  # fmt: skip

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            verify=str(CERTIFICATE),
        )


def stack_names() -> list[str]:
    """The local environment's stacks, in the order `cdk deploy --all` creates them (from the cloud assembly)."""
    manifest = json.loads((ASSEMBLY_DIR / "manifest.json").read_text())
    return [name for name, artifact in manifest["artifacts"].items() if artifact["type"] == "aws:cloudformation:stack"]
