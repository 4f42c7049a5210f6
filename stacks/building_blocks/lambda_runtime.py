"""The one Lambda runtime and platform every function and the dependencies layer are built for."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from aws_cdk import aws_lambda as lambda_

# Python 3.14 is the newest runtime both aws-cdk-lib 2.275 and Powertools 3.37 support.
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_14
PYTHON_VERSION = "3.14"
# Graviton: about 20% cheaper per GB-second than x86_64.
LAMBDA_ARCHITECTURE = lambda_.Architecture.ARM_64
PIP_PLATFORM = "manylinux2014_aarch64"


@dataclass(frozen=True)
class WheelPlatform:
    """What pip installs the layer's wheels for: `label` goes into the asset hash, `pip_arguments` into pip."""

    label: str
    pip_arguments: tuple[str, ...]


LAMBDA_WHEELS = WheelPlatform(
    label=f"{PIP_PLATFORM}|{PYTHON_VERSION}",
    pip_arguments=("--platform", PIP_PLATFORM, "--implementation", "cp", "--python-version", PYTHON_VERSION),
)


def host_wheels() -> WheelPlatform:
    """This interpreter and machine: a local emulator runs every python* function on its own interpreter, which
    `make local-up` creates from the same Python as the app's venv (the local-cloud deploy checks that)."""
    return WheelPlatform(label=f"host|{sys.implementation.cache_tag}|{sys.platform}|{platform.machine()}",
                         pip_arguments=())  # fmt: skip
