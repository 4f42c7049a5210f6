"""cdk-nag (AwsSolutions and Serverless packs) is registered on the app and every finding is acknowledged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk import aws_sqs as sqs

from stacks.orders_app import build_orders_app
from tests.support.synth import ENVIRONMENTS, cdk_json_context, environment_config, synthesize


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_app_synthesizes_with_nothing_unacknowledged(env_name: str) -> None:
    synthesized = synthesize(env_name)  # app.synth() raises ValidationFailed on any unacknowledged finding
    assert synthesized.templates


def test_nag_is_really_registered_and_fails_synth_on_a_finding(tmp_path: Path) -> None:
    outdir = str(tmp_path)
    app = App(outdir=outdir, context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    orders = build_orders_app(app, environment_config("dev"))
    sqs.Queue(orders.primary.data, "QueueWithoutSslOrRedrive")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((Path(outdir) / "validation-report.json").read_text())
    violated = {violation["ruleName"] for plugin in report["pluginReports"] for violation in plugin["violations"]}
    assert {"AwsSolutions-SQS3", "AwsSolutions-SQS4", "Serverless-SQSRedrivePolicy"} <= violated
