"""Rules that other accounts create on the app's bus, delivering to targets in their own account (docs/consumers.md).

Each listed account gets two statements in the bus's resource policy (the EventBridge guide, "Example policy: Send
events to the same account and restrict updates", eb-event-bus-example-policy-same-account-creator.html):
- it may create, describe, update, enable, disable and delete rules on this bus, but only the ones it created
  (`events:creatorAccount`, written out per account instead of `${aws:PrincipalAccount}`, so that each grant reads
  plainly and the offline authorization check evaluates it);
- it may put targets on those rules only in its own account (`events:TargetArn`, which PutTargets sends for each
  target: `ForAllValues`, with a `Null` check since ForAllValues holds for a request without the key).
Nothing else: the account cannot put events on this bus, and its rules never reach the app's own targets.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam

RULE_ACTIONS = ["events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:DisableRule",
                "events:EnableRule", "events:RemoveTargets", "events:ListTargetsByRule"]  # fmt: skip


def allow_cross_account_subscribers(bus: events.EventBus, accounts: Sequence[str]) -> None:
    stack = Stack.of(bus)
    rules = stack.format_arn(service="events", resource="rule", resource_name=f"{bus.event_bus_name}/*")
    for account in accounts:
        creator = {"StringEqualsIfExists": {"events:creatorAccount": account}}
        principal = iam.AccountPrincipal(account)
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"Account{account}ManagesItsOwnRules",
                principals=[principal],
                actions=RULE_ACTIONS,
                resources=[rules],
                conditions=creator,
            )
        )
        bus.add_to_resource_policy(
            iam.PolicyStatement(
                sid=f"Account{account}TargetsOnlyItsOwnResources",
                principals=[principal],
                actions=["events:PutTargets"],
                resources=[rules],
                conditions={
                    **creator,
                    "ForAllValues:ArnLike": {"events:TargetArn": [f"arn:{stack.partition}:*:*:{account}:*"]},
                    "Null": {"events:TargetArn": "false"},
                },
            )
        )
