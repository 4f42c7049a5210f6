"""`DataStack.grant_read_personal_data`: the documented way for a consumer to read a customer's personal fields,
evaluated offline (devtools.authorization) on the policy the CDK synthesizes for a grantee."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from devtools.authorization.decision import decide
from devtools.authorization.policy import Principal, Request
from stacks.data_stack import DataStack

ACCOUNT, REGION = "123456789012", "eu-west-1"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
MAILER = Principal("AWS", f"arn:aws:iam::{ACCOUNT}:role/mailer")


@pytest.fixture(scope="module")
def mailer_policy() -> list[dict[str, Any]]:
    """The identity policy of a consumer role granted personal data, with the table's ARN resolved."""
    app = cdk.App()
    data = DataStack(app, "Data", retain_data=False, env=cdk.Environment(account=ACCOUNT, region=REGION))
    mailer = iam.Role(data, "Mailer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    data.grant_read_personal_data(mailer)
    template = Template.from_stack(data).to_json()
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    table_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::DynamoDB::GlobalTable")
    text = json.dumps(policy["Properties"]["PolicyDocument"]["Statement"])
    statements: list[dict[str, Any]] = json.loads(text.replace(json.dumps({"Fn::GetAtt": [table_id, "Arn"]}),
                                                               json.dumps(TABLE_ARN)))  # fmt: skip
    return statements


def allowed(policy: list[dict[str, Any]], action: str, context: dict[str, Any]) -> bool:
    request = Request(MAILER, action, TABLE_ARN, {"aws:SecureTransport": "true", **context})
    return decide(request, identity=policy, resource_policy=None, resource_account=ACCOUNT).allowed


def test_a_granted_consumer_reads_customers_items_by_key(mailer_policy: list[dict[str, Any]]) -> None:
    assert allowed(mailer_policy, "dynamodb:GetItem", {"dynamodb:LeadingKeys": ["CUSTOMER#c-1"]})
    assert allowed(mailer_policy, "dynamodb:BatchGetItem", {"dynamodb:LeadingKeys": ["CUSTOMER#c-1", "CUSTOMER#c-2"]})


def test_and_nothing_else(mailer_policy: list[dict[str, Any]]) -> None:
    assert not allowed(mailer_policy, "dynamodb:GetItem", {"dynamodb:LeadingKeys": ["ORDER#o-1"]})
    assert not allowed(mailer_policy, "dynamodb:BatchGetItem", {"dynamodb:LeadingKeys": ["CUSTOMER#c-1", "ORDER#o-1"]})
    assert not allowed(mailer_policy, "dynamodb:Scan", {})
    assert not allowed(mailer_policy, "dynamodb:Query", {"dynamodb:LeadingKeys": ["CUSTOMER#c-1"]})
    assert not allowed(mailer_policy, "dynamodb:GetItem", {})  # ForAllValues alone would allow a request without keys


def test_without_the_null_check_a_request_without_keys_would_pass(mailer_policy: list[dict[str, Any]]) -> None:
    """The evaluator keeps IAM's ForAllValues trap, so the check above proves the Null condition is what refuses."""
    without_null = [{**s, "Condition": {k: v for k, v in s["Condition"].items() if k != "Null"}} for s in mailer_policy]
    assert allowed(without_null, "dynamodb:GetItem", {})
