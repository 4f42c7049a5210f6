"""An environment's templates, synthesized in-process as `cdk synth` would (bundling skipped): for developer tools
that read what the stacks declare (the event catalog, the cost model). Imports the CDK: not for 3 a.m. tools."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from aws_cdk import App

from ops.aws import CDK_JSON, environment
from stacks.orders_app import build_orders_app

Template = dict[str, Any]


def synthesized_templates(env_name: str, *, primary_only: bool = True) -> dict[str, Template]:
    """Stack name -> template (the primary region's stacks, or every stack by artifact id)."""
    context = json.loads(CDK_JSON.read_text())["context"]
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir, context={**context, "env": env_name, "aws:cdk:bundling-stacks": [],
                                          "aws:cdk:enable-path-metadata": True})  # fmt: skip
        orders = build_orders_app(app, environment(env_name))
        assembly = app.synth()
        stacks = orders.primary.all() if primary_only else orders.all()
        return {
            (stack.stack_name if primary_only else stack.artifact_id): assembly.get_stack_artifact(
                stack.artifact_id
            ).template
            for stack in stacks
        }
