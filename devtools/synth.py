"""An environment's app, synthesized in-process as `cdk synth` would, bundling skipped: for developer tools that read
what the stacks declare (the event catalog, the cost model) and for the tests. Imports the CDK: not for 3 a.m. tools."""

from __future__ import annotations

import json
import tempfile
from typing import Any

from aws_cdk import App, cx_api

from ops.aws import CDK_JSON, environment
from stacks.config import EnvironmentConfig
from stacks.delivery_access_stack import build_delivery_access
from stacks.orders_app import OrdersApp, build_orders_app

Template = dict[str, Any]


def synthesized(config: EnvironmentConfig, outdir: str) -> tuple[OrdersApp, cx_api.CloudAssembly]:
    """The app's stacks and their cloud assembly in `outdir`, with path metadata as `cdk synth` writes it (so that
    resources can be named by construct path); raises if cdk-nag reports anything unacknowledged."""
    context = json.loads(CDK_JSON.read_text())["context"]
    app = App(outdir=outdir, context={**context, "env": config.name, "aws:cdk:bundling-stacks": [],
                                      "aws:cdk:enable-path-metadata": True})  # fmt: skip
    orders = build_orders_app(app, config)
    return orders, app.synth()


def synthesized_templates(env_name: str) -> dict[str, Template]:
    """The primary region's templates, by stack name."""
    with tempfile.TemporaryDirectory() as outdir:
        orders, assembly = synthesized(environment(env_name), outdir)
        return {
            stack.stack_name: assembly.get_stack_artifact(stack.artifact_id).template for stack in orders.primary.all()
        }


def synthesized_templates_by_region(env_name: str) -> dict[str, dict[str, Template]]:
    """Every stack's template, by region and stack name (the Failover stack with the primary region's)."""
    with tempfile.TemporaryDirectory() as outdir:
        orders, assembly = synthesized(environment(env_name), outdir)
        by_region: dict[str, dict[str, Template]] = {}
        for stack in orders.all():
            template = assembly.get_stack_artifact(stack.artifact_id).template
            by_region.setdefault(stack.region, {})[stack.stack_name] = template
        return by_region


# The repository the authorization check evaluates the delivery roles for (any <owner>/<name> gives the same
# policies: it only appears in the token subjects the roles trust).
EVALUATED_REPOSITORY = "acme/orders"


def synthesized_delivery_access(config: EnvironmentConfig, outdir: str, repository: str = EVALUATED_REPOSITORY) -> None:
    """`Orders-<env>-DeliveryAccess` into `outdir`, as `make delivery-access` would synthesize it."""
    context = json.loads(CDK_JSON.read_text())["context"]
    app = App(outdir=outdir, context={**context, "env": config.name, "aws:cdk:enable-path-metadata": True})
    build_delivery_access(app, config, repository, existing_provider=False)
    app.synth()
