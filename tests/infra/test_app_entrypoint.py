"""app.py as the CDK CLI runs it: a configuration mistake ends synth with one clear line and a non-zero exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.synth import PROJECT_ROOT, cdk_json_context


def run_app(context: dict[str, object]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": "/nonexistent-never-written"}
    env.pop("CDK_DEFAULT_ACCOUNT", None)
    return subprocess.run(
        [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_unknown_environment_fails_with_one_message() -> None:
    result = run_app({**cdk_json_context(), "env": "qa"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-2:] == [
        "Configuration error:",
        "  unknown environment 'qa' (-c env=...); known environments: dev, local, prod, staging",
    ]


def test_every_problem_is_reported_at_once_without_a_traceback() -> None:
    context = cdk_json_context()
    context["environments"]["prod"]["streamPipe"]["maximumRecordAgeSeconds"] = "1h"
    context["environments"]["prod"]["region"] = "xx-fake-9"
    result = run_app({**context, "env": "prod"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-3:] == [
        "2 configuration errors:",
        "  cdk.json environment 'prod': setting 'region' is invalid: is not an AWS region (got 'xx-fake-9'); "
        "e.g. 'eu-west-1'",
        "  cdk.json environment 'prod': setting 'streamPipe.maximumRecordAgeSeconds' is invalid: "
        "Input should be a valid integer (got '1h'); e.g. 21600",
    ]
