"""The offline authorization check (devtools.authorization) run over synthesized assemblies, for the tests: each
environment's report, a variant's, and the report of an assembly with its templates edited (a statement taken away),
cached per run (the synthesis behind them takes seconds)."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_cdk import App

from devtools.authorization.check import Report, check
from devtools.synth import EVALUATED_REPOSITORY, synthesized_delivery_access
from stacks.orders_app import build_orders_app
from tests.support.synth import cdk_json_context, synthesize

Edit = Callable[[dict[str, dict[str, Any]]], None]  # templates by file name, edited in place


def _temporary(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def delivery_assembly(env_name: str) -> Path:
    outdir = _temporary(f"cdk-delivery-{env_name}-")
    synthesized_delivery_access(synthesize(env_name).config, str(outdir))
    return outdir


@functools.cache
def report(env_name: str) -> Report:
    return check(env_name, synthesize(env_name).assembly_dir, delivery_assembly(env_name), EVALUATED_REPOSITORY)


@functools.cache
def variant_report(env_name: str, setting: str, value: Any, *, with_delivery: bool = True) -> Report:
    """`env_name` with one setting of its config changed (a variant no environment deploys), synthesized and checked;
    `with_delivery` adds the environment's delivery roles."""
    outdir = _temporary(f"cdk-{env_name}-{setting}-")
    config = synthesize(env_name).config.model_copy(update={setting: value})
    app = App(outdir=str(outdir), context={**cdk_json_context(), "env": env_name, "aws:cdk:bundling-stacks": []})
    build_orders_app(app, config)
    app.synth()
    return check(env_name, outdir, delivery_assembly(env_name) if with_delivery else None, EVALUATED_REPOSITORY)


def mutated(source: Path, edit: Edit) -> Path:
    """A copy of a cloud assembly whose templates `edit` changed."""
    copy = _temporary("cdk-mutated-")
    shutil.copytree(source, copy, dirs_exist_ok=True)
    templates = {path.name: json.loads(path.read_text()) for path in copy.glob("*.template.json")}
    edit(templates)
    for name, template in templates.items():
        (copy / name).write_text(json.dumps(template))
    return copy


def wrong_kinds(env_name: str, *, app: Edit | None = None, delivery: Edit | None = None) -> dict[str, int]:
    app_dir = synthesize(env_name).assembly_dir
    delivery_dir = delivery_assembly(env_name)
    result = check(
        env_name,
        mutated(app_dir, app) if app else app_dir,
        mutated(delivery_dir, delivery) if delivery else delivery_dir,
        EVALUATED_REPOSITORY,
    )
    kinds: dict[str, int] = {}
    for outcome in result.failures:
        kinds[outcome.call.kind] = kinds.get(outcome.call.kind, 0) + 1
    return kinds


def resources(templates: dict[str, dict[str, Any]], resource_type: str) -> list[dict[str, Any]]:
    return [r for t in templates.values() for r in t["Resources"].values() if r["Type"] == resource_type]


def drop_statements(resource_type: str, predicate: Callable[[dict[str, Any]], bool]) -> Edit:
    def edit(templates: dict[str, dict[str, Any]]) -> None:
        for resource in resources(templates, resource_type):
            document = resource["Properties"]["PolicyDocument"]
            document["Statement"] = [s for s in document["Statement"] if not predicate(s)]

    return edit
