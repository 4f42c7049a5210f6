"""cfn-lint over every synthesized template of every environment: no errors, no unexplained warnings."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint

from tests.support.synth import ENVIRONMENTS, synthesize

# Rule ids ignored on purpose, each with the reason.
IGNORED_RULES = {
    "W3005": "CDK itself adds DependsOn on a role next to a GetAtt of it (Lambda functions, the pipe), so that the "
    "role's policy exists before first use; the redundant half is harmless.",
}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_templates_pass_cfn_lint(env_name: str) -> None:
    synthesized = synthesize(env_name)
    problems = []
    for stack_name, template in synthesized.templates.items():
        matches = lint(
            json.dumps(template),
            config=ManualArgs(regions=[synthesized.config.region], ignore_checks=list(IGNORED_RULES)),
        )
        problems += [
            f"{stack_name}: {match.rule.id} {match.message} ({'/'.join(map(str, match.path))})" for match in matches
        ]
    assert problems == []
