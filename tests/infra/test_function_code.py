"""Each function's code asset holds its own package and `lambdas/shared`, nothing else, and imports from that alone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.synth import synthesize
from tests.support.templates import resources_of_type


def staged_functions() -> dict[str, tuple[str, Path]]:
    """handler -> (package, the staged asset directory) for every function of every dev stack.

    The directory is the one the assets manifest names: CDK appends the source directory's extension to it, so a
    checkout in a directory with a dot (`mktemp -d` makes `tmp.XXXXXXXXXX`) stages `asset.<hash>.XXXXXXXXXX`."""
    synthesized = synthesize("dev")
    outdir = Path(synthesized.stacks.data.node.root.outdir)  # type: ignore[attr-defined]
    staged = {
        asset_hash: outdir / entry["source"]["path"]
        for manifest in outdir.glob("*.assets.json")
        for asset_hash, entry in json.loads(manifest.read_text())["files"].items()
    }
    found = {}
    for template in synthesized.templates.values():
        for function in resources_of_type(template, "AWS::Lambda::Function").values():
            handler = function["Properties"]["Handler"]
            asset_hash = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
            found[handler] = (handler.split(".")[1], staged[asset_hash])
    return found


def test_every_package_under_lambdas_is_deployed() -> None:
    packages = {package for package, _ in staged_functions().values()}
    on_disk = {p.parent.name for p in Path("lambdas").glob("*/handler.py")}
    assert packages == on_disk == {
        "enrichment", "process_order", "ship_order", "intake", "event_store", "customer_snapshot", "order_sweeper",
        "cache_sync",
    }  # fmt: skip


@pytest.mark.parametrize("handler", sorted(staged_functions()))
def test_asset_holds_its_package_and_shared_code_only(handler: str) -> None:
    package, asset = staged_functions()[handler]
    files = {str(path.relative_to(asset)) for path in asset.rglob("*") if path.is_file()}
    top_level = {f.split("/")[1] for f in files if f.count("/") >= 2}
    assert top_level == {"shared", package}
    assert "lambdas/__init__.py" in files
    assert f"lambdas/{package}/handler.py" in files
    # Code, and the event store's compression dictionaries (run-time data of lambdas/shared)
    dictionaries = r"lambdas/shared/event_dictionary_v\d+\.json"
    assert all(f.endswith(".py") or re.fullmatch(dictionaries, f) for f in files), files
    assert not any("__pycache__" in f for f in files)


@pytest.mark.parametrize("handler", sorted(staged_functions()))
def test_handler_imports_from_its_asset_alone(handler: str) -> None:
    """The project's own checkout is kept off sys.path: only the asset and the installed dependencies are there."""
    _, asset = staged_functions()[handler]
    module, function = handler.rsplit(".", 1)
    code = f"import importlib; assert callable(getattr(importlib.import_module({module!r}), {function!r}))"
    env = {**os.environ, "PYTHONPATH": str(asset), "POWERTOOLS_SERVICE_NAME": "check", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=asset, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
