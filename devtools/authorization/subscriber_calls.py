"""Calls of the accounts the bus lets subscribe (stacks/building_blocks/cross_account_subscribers.py), read from the
bus's EventBusPolicy statements: each listed account may put a rule of its own on the bus and targets in its own
account on it; it may not target the app's account, touch a rule the app created, or put events on the bus; and an
account the policy does not list may do none of it.

The subscriber's own account must allow the calls too (a cross-account call needs both sides): its identity is
taken to allow `events:*`, as its administrators would, so that what is checked is this bus's policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from devtools.authorization.calls import Call, role
from devtools.authorization.deployment import Deployment

UNLISTED_ACCOUNT = "999999999999"
SUBSCRIBER_IDENTITY = ({"Effect": "Allow", "Action": "events:*", "Resource": "*"},)
KIND = "subscriber account -> its rule on the bus"


def subscriber_calls(deployment: Deployment) -> Iterator[Call]:
    for grant in deployment.resources("AWS::Events::EventBusPolicy"):
        stack = grant.stack
        [statement] = deployment.policy(stack, {"Statement": grant.properties["Statement"]})
        if statement.get("Action") != "events:PutTargets":
            continue  # one pair of statements per account: its calls are made once, from the PutTargets grant
        bus = deployment.resolve(stack, grant.properties["EventBusName"])
        account = str(statement["Principal"]["AWS"]).split(":")[4]
        yield from _calls(stack.region, stack.account, bus, account)


def _calls(region: str, app_account: str, bus: str, account: str) -> Iterator[Call]:
    own_rule = f"arn:aws:events:{region}:{app_account}:rule/{bus}/team-{account}-orders"
    bus_arn = f"arn:aws:events:{region}:{app_account}:event-bus/{bus}"
    caller = f"arn:aws:iam::{account}:role/team-deployer"
    stranger = f"arn:aws:iam::{UNLISTED_ACCOUNT}:role/team-deployer"
    creator: dict[str, str | list[str]] = {"events:creatorAccount": account}
    # (what is tried, who, action, on what, the request's keys, allowed?)
    cases: list[tuple[str, str, str, str, dict[str, str | list[str]], bool]] = [
        ("", caller, "events:PutRule", own_rule, creator, True),
        ("", caller, "events:PutTargets", own_rule,
         {**creator, "events:TargetArn": [f"arn:aws:sqs:{region}:{account}:team-orders"]}, True),
        (" (a target in the app's account)", caller, "events:PutTargets", own_rule,
         {**creator, "events:TargetArn": [f"arn:aws:sqs:{region}:{app_account}:anything"]}, False),
        (" (a rule the app created)", caller, "events:PutRule", own_rule,
         {"events:creatorAccount": app_account}, False),
        (" (events onto the bus)", caller, "events:PutEvents", bus_arn, {}, False),
        (" (an account not listed)", stranger, "events:PutRule", own_rule,
         {"events:creatorAccount": UNLISTED_ACCOUNT}, False),
    ]  # fmt: skip
    for tried, who, action, resource, context, allowed in cases:
        yield Call(KIND + tried, who, f"bus {bus}", role(who), action, resource, documented=context,
                   expect_allowed=allowed, identity=SUBSCRIBER_IDENTITY)  # fmt: skip
