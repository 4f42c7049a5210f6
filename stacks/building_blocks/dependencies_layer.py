"""The one Lambda layer holding the handlers' third-party dependencies, built by pip without Docker."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.building_blocks.lambda_runtime import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, LAMBDA_WHEELS, WheelPlatform

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
REQUIREMENTS_FILE = LAMBDAS_DIR / "requirements.txt"


def pip_install_command(requirements_file: Path, target_dir: Path, wheels: WheelPlatform = LAMBDA_WHEELS) -> list[str]:
    """Install wheels for the Lambda platform (not this machine's) so nothing is compiled and no Docker is needed."""
    return [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-compile", "--only-binary=:all:",
        *wheels.pip_arguments,
        "--target", str(target_dir),
        "--requirement", str(requirements_file),
    ]  # fmt: skip


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """Local bundling: `pip install --platform` into the layer's `python/` folder."""

    def __init__(self, requirements_file: Path, wheels: WheelPlatform) -> None:
        self._requirements_file = requirements_file
        self._wheels = wheels

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        # jsii hands the options over as one positional struct, not as the keywords its typed protocol shows.
        target_dir = Path(output_dir) / "python"
        result = subprocess.run(
            pip_install_command(self._requirements_file, target_dir, self._wheels),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"pip could not build the dependencies layer from {self._requirements_file}:\n{result.stderr}"
            )
        # Console scripts are useless in a layer.
        for script in (target_dir / "bin").glob("*"):
            script.unlink()
        return True


def requirements_fingerprint(requirements_file: Path = REQUIREMENTS_FILE, wheels: WheelPlatform = LAMBDA_WHEELS) -> str:
    """The layer's asset hash: an unchanged requirements file (and platform) reuses the bundle already in cdk.out."""
    digest = hashlib.sha256(requirements_file.read_bytes())
    digest.update(wheels.label.encode())
    return digest.hexdigest()


class DependenciesLayer(lambda_.LayerVersion):
    """One per stack (see `of`), so that stacks share the asset but never export a layer to each other."""

    CONSTRUCT_ID = "DependenciesLayer"

    def __init__(self, scope: Construct, construct_id: str, wheels: WheelPlatform) -> None:
        code = lambda_.Code.from_asset(
            str(LAMBDAS_DIR),
            asset_hash_type=AssetHashType.CUSTOM,
            asset_hash=requirements_fingerprint(REQUIREMENTS_FILE, wheels),
            bundling=BundlingOptions(
                # Never pulled: local bundling always succeeds or raises.
                image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.14"),
                local=PipLocalBundling(REQUIREMENTS_FILE, wheels),  # type: ignore[arg-type]
            ),
        )
        super().__init__(
            scope,
            construct_id,
            code=code,
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description=f"Shared dependencies of the order functions ({REQUIREMENTS_FILE.name})",
        )

    @classmethod
    def of(cls, scope: Construct, wheels: WheelPlatform) -> DependenciesLayer:
        stack = Stack.of(scope)
        existing = stack.node.try_find_child(cls.CONSTRUCT_ID)
        if isinstance(existing, DependenciesLayer):
            return existing
        return cls(stack, cls.CONSTRUCT_ID, wheels)
