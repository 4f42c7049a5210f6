"""The IAM subset devtools.authorization evaluates, on small policies whose outcome the IAM User Guide states."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.authorization.decision import decide
from devtools.authorization.function_calls import sdk_calls
from devtools.authorization.policy import Principal, Request, UnsupportedPolicy, conditions_hold
from lambdas.cache_sync.view import PROJECTED_ATTRIBUTES

ACCOUNT = "111111111111"
ROLE = Principal("AWS", f"arn:aws:iam::{ACCOUNT}:role/caller")
OUTSIDER = Principal("AWS", "arn:aws:iam::222222222222:role/outsider")
EVENTS = Principal("Service", "events.amazonaws.com")
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:queue"
SEND = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}
TLS_ONLY = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:*", "Resource": QUEUE,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}  # fmt: skip


def allowed(
    principal: Principal,
    identity: list[dict[str, Any]],
    resource: list[dict[str, Any]] | None,
    context: dict[str, str] | None = None,
    *,
    action: str = "sqs:SendMessage",
    on: str = QUEUE,
) -> bool:
    request = Request(principal, action, on, context or {"aws:SecureTransport": "true"})
    return decide(request, identity=identity, resource_policy=resource, resource_account=ACCOUNT).allowed


def test_in_one_account_an_identity_policy_is_enough() -> None:
    assert allowed(ROLE, [SEND], None)
    assert not allowed(ROLE, [], None)


def test_an_explicit_deny_wins_over_any_allow() -> None:
    assert not allowed(ROLE, [SEND], [TLS_ONLY], {"aws:SecureTransport": "false"})
    assert allowed(ROLE, [SEND], [TLS_ONLY], {"aws:SecureTransport": "true"})
    assert allowed(ROLE, [SEND], [TLS_ONLY], {})  # a Bool condition on a missing key does not match


def test_across_accounts_both_policies_must_allow() -> None:
    to_outsider = {**SEND, "Principal": {"AWS": OUTSIDER.identifier}}
    assert not allowed(OUTSIDER, [SEND], None)
    assert not allowed(OUTSIDER, [], [to_outsider])
    assert allowed(OUTSIDER, [SEND], [to_outsider])


def test_a_service_needs_the_resource_policy_and_its_condition() -> None:
    rule = "arn:aws:events:eu-west-1:111111111111:rule/bus/r"
    from_rule = {**SEND, "Principal": {"Service": "events.amazonaws.com"},
                 "Condition": {"ArnEquals": {"aws:SourceArn": rule}}}  # fmt: skip
    assert allowed(EVENTS, [], [from_rule], {"aws:SourceArn": rule})
    assert not allowed(EVENTS, [], [from_rule], {"aws:SourceArn": "arn:aws:events:eu-west-1:222222222222:rule/bus/r"})
    assert not allowed(EVENTS, [], [from_rule], {})
    assert not allowed(EVENTS, [], None)


def test_a_trust_policy_naming_the_account_leaves_it_to_identity_policies() -> None:
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/target"
    trust = [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"}]
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}
    assert allowed(ROLE, [assume], trust, action="sts:AssumeRole", on=role_arn)
    assert not allowed(ROLE, [], trust, action="sts:AssumeRole", on=role_arn)
    # In one account an identity policy alone does not let a role be assumed: the trust policy must allow it too.
    assert not allowed(ROLE, [assume], [], action="sts:AssumeRole", on=role_arn)


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}, {"aws:SourceAccount": "222222222222"}, False),
        ({"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}, {}, True),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:*:111111111111:rule/*"}},
            {"aws:sourcearn": "arn:aws:events:eu-west-1:111111111111:rule/bus/r"},
            True,
        ),  # keys ignore case
        ({"Null": {"aws:SourceArn": "true"}}, {}, True),
        ({"StringLike": {"k": "a?c"}}, {"k": "abc"}, True),
        ({"StringEquals": {"k": ["x", "y"]}}, {"k": "y"}, True),
    ],
)
def test_condition_operators(condition: dict[str, Any], context: dict[str, str], holds: bool) -> None:
    assert conditions_hold(condition, context) is holds


def test_what_the_evaluator_does_not_implement_is_refused() -> None:
    with pytest.raises(UnsupportedPolicy):
        conditions_hold({"ForAnyValue:StringEquals": {"k": "v"}}, {"k": "v"})
    with pytest.raises(UnsupportedPolicy):
        allowed(ROLE, [], [{**SEND, "NotPrincipal": {"AWS": "*"}}])
    with pytest.raises(UnsupportedPolicy):
        allowed(ROLE, [{**SEND, "Resource": "arn:aws:sqs:eu-west-1:${aws:PrincipalAccount}:queue"}], None)


def test_the_sdk_calls_of_a_function_are_read_from_its_code() -> None:
    assert sdk_calls("intake") == {("dynamodb", "PutItem", ()), ("dynamodb", "GetItem", ()), ("sqs", "SendMessage", ())}
    assert sdk_calls("customer_snapshot") == {("dynamodb", "BatchGetItem", ())}
    # A projected read carries the request context DynamoDB sends for it, from the package's declarations.
    assert sdk_calls("cache_sync") == {
        (
            "dynamodb",
            "GetItem",
            (("dynamodb:Attributes", PROJECTED_ATTRIBUTES), ("dynamodb:LeadingKeys", ("ORDER#evaluated",))),
        ),
        ("secretsmanager", "GetSecretValue", ()),
    }
    assert sdk_calls("enrichment") == frozenset()
