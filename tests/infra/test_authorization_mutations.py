"""The offline authorization check fails when a statement that makes a call work is taken away from the
synthesized templates: each test edits a copy of the assembly and names the calls that must then come out wrong
(the three defects the check was written for among them)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.authorization import Edit, drop_statements, report, resources, wrong_kinds
from tests.support.synth import synthesize

pytestmark = pytest.mark.xdist_group("synth")


def test_an_alarm_topic_policy_without_cloudwatch_fails_every_alarm() -> None:
    """As main had it: enforce_ssl's policy alone, which replaces SNS's default one."""
    alarms = sum(
        len(a["Properties"].get("AlarmActions", [])) + len(a["Properties"].get("OKActions", []))
        for t in synthesize("prod").templates.values()
        for a in t["Resources"].values()
        if a["Type"] == "AWS::CloudWatch::Alarm"
    )
    edit = drop_statements("AWS::SNS::TopicPolicy", lambda s: s.get("Effect") == "Allow")
    assert wrong_kinds("prod", app=edit) == {"alarm -> topic": alarms}


def _deploy_role_regions(keep: str) -> Edit:
    """The deploy role may assume only `keep`'s bootstrap roles (main built them from the stack's region only)."""

    def edit(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::IAM::Policy"):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Action"] == "sts:AssumeRole":
                    statement["Resource"] = [r for r in statement["Resource"] if keep in json.dumps(r)]

    return edit


def test_a_deploy_role_of_the_primary_region_only_cannot_deploy_the_standby() -> None:
    wrong = wrong_kinds("prod", delivery=_deploy_role_regions("eu-west-1"))
    standby_roles = [
        o
        for o in report("prod").outcomes
        if o.call.kind == "deploy role -> bootstrap role" and "eu-central-1" in o.call.resource
    ]
    assert wrong == {"deploy role -> bootstrap role": len(standby_roles)}
    assert len(standby_roles) >= 3  # deploy, file publishing, lookup


def test_a_diff_role_that_may_assume_the_lookup_role_is_refused() -> None:
    """As main had it: pull requests could assume the lookup role, which has ReadOnlyAccess to the data."""

    def lookup(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::IAM::Policy"):
            if "DiffRole" in json.dumps(policy["Properties"]["Roles"]):
                policy["Properties"]["PolicyDocument"]["Statement"].append(
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": {"Fn::Sub":
                     "arn:aws:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role-${AWS::AccountId}-eu-west-1"}}
                )  # fmt: skip

    assert wrong_kinds("dev", delivery=lookup) == {"diff role -> bootstrap role": 1}


def test_a_trust_policy_without_conditions_lets_another_accounts_rules_and_pipes_in() -> None:
    def unconditional(templates: dict[str, dict[str, Any]]) -> None:
        for role in resources(templates, "AWS::IAM::Role"):
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                if statement["Principal"].get("Service") in ("events.amazonaws.com", "pipes.amazonaws.com"):
                    statement.pop("Condition", None)

    def trusting(service: str) -> int:
        return sum(
            1
            for role in resources(synthesize("dev").templates, "AWS::IAM::Role")
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            if statement["Principal"].get("Service") == service
        )

    wrong = wrong_kinds("dev", app=unconditional)
    assert wrong == {
        "rule -> target role (another account's source)": trusting("events.amazonaws.com"),
        "pipe -> role (another account's source)": trusting("pipes.amazonaws.com"),
    }


def test_a_log_group_policy_without_the_rule_lets_another_accounts_rules_write() -> None:
    """As main had it: EventBridge allowed to write, on behalf of any rule."""

    def unconditional(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::Logs::ResourcePolicy"):
            parts = policy["Properties"]["PolicyDocument"]["Fn::Join"][1]
            groups = {
                i for t in templates.values() for i, r in t["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"
            }
            [log_group] = [p for p in parts if isinstance(p, dict) and p.get("Fn::GetAtt", [""])[0] in groups][:1]
            statement = ('{"Statement":[{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow",'
                         '"Principal":{"Service":"events.amazonaws.com"},"Resource":"')  # fmt: skip
            policy["Properties"]["PolicyDocument"] = {"Fn::Join": ["", [statement, log_group, '"}]}']]}

    assert wrong_kinds("dev", app=unconditional) == {"rule -> target (another account's source)": 2}


def test_a_queue_policy_without_its_tls_deny_is_found() -> None:
    edit = drop_statements("AWS::SQS::QueuePolicy", lambda s: s.get("Effect") == "Deny")
    expected: dict[str, int] = {}
    for outcome in report("dev").outcomes:
        if outcome.call.kind.endswith("(without TLS)") and ":sqs:" in outcome.call.resource:
            expected[outcome.call.kind] = expected.get(outcome.call.kind, 0) + 1
    assert wrong_kinds("dev", app=edit) == expected
    assert "pipe -> DLQ (without TLS)" in expected  # a queue whose policy holds nothing but the deny


def test_a_function_role_without_the_grant_its_code_needs_is_found() -> None:
    """intake's code sends rejections to a queue (found by reading lambdas/intake): take the grant away."""
    edit = drop_statements(
        "AWS::IAM::Policy", lambda s: "sqs:SendMessage" in s.get("Action", []) and "Rejected" in json.dumps(s)
    )
    assert wrong_kinds("dev", app=edit) == {"function -> SDK call": 1}


def test_a_projected_read_without_its_null_check_would_read_the_whole_item() -> None:
    """`ForAllValues` holds for a request that names no attributes: without the Null check the cache sync's role
    could read an order's whole item, personal snapshot included."""

    def without_null(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::IAM::Policy"):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                statement.get("Condition", {}).pop("Null", None)

    wrong = wrong_kinds("dev", app=without_null)
    assert wrong.get("function -> SDK call beyond its projection (the whole item)") == 1
