"""The shared layer really bundles without Docker, holds Powertools but not boto3, and is reused when unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.building_blocks.dependencies_layer import requirements_fingerprint
from tests.support.synth import PROJECT_ROOT

LAYER_SIZE_LIMIT_BYTES = 250 * 1024 * 1024  # Lambda's unzipped limit for a function and all its layers


def synthesize_layer(outdir: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.layer_app", str(outdir)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.network
def test_layer_bundles_locally_and_is_reused(tmp_path: Path) -> None:
    first = synthesize_layer(tmp_path)
    assert first.returncode == 0, first.stderr
    [layer] = tmp_path.glob("asset.*/python")

    assert (layer / "aws_lambda_powertools" / "__init__.py").is_file()
    assert not (layer / "pydantic").exists(), "the functions validate with msgspec; pydantic is for the CDK app"
    assert any(layer.glob("msgspec/_core.cpython-314-aarch64-linux-gnu.so"))
    assert not (layer / "boto3").exists()
    assert not (layer / "botocore").exists()
    assert not list(layer.rglob("*.pyc")), "host-compiled bytecode is useless on the Lambda runtime"
    size = sum(path.stat().st_size for path in layer.rglob("*") if path.is_file())
    assert size < LAYER_SIZE_LIMIT_BYTES
    print(f"layer unzipped size: {size / 1024 / 1024:.1f} MiB")

    # An unchanged requirements file must not reinstall: with pip unable to reach any index, synth still succeeds.
    second = synthesize_layer(tmp_path, {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "/nonexistent"})
    assert second.returncode == 0, second.stderr
    assert "Bundling asset" not in second.stderr


def test_layer_hash_follows_the_requirements_file(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("aws-lambda-powertools==3.37.0\n")
    before = requirements_fingerprint(requirements)
    assert requirements_fingerprint(requirements) == before
    requirements.write_text("aws-lambda-powertools==3.36.0\n")
    assert requirements_fingerprint(requirements) != before
