"""Helpers for rules on the orders bus."""

from __future__ import annotations

from aws_cdk import aws_events as events

from lambdas.shared.entities import EVENT_SOURCE


def table_events(*detail_types: str, detail: dict[str, object] | None = None) -> events.EventPattern:
    """Events the stream pipe published for the given detail-types."""
    return events.EventPattern(source=[EVENT_SOURCE], detail_type=list(detail_types), detail=detail)


def exclude_replays(rule: events.Rule) -> None:
    """Replays from the archive carry `replay-name`; rules with side effects must not match them (docs/design.md).

    CDK's EventPattern has no field for it, so it is added to the synthesized pattern.
    """
    cfn_rule = rule.node.default_child
    assert isinstance(cfn_rule, events.CfnRule)
    cfn_rule.add_property_override("EventPattern.replay-name", [{"exists": False}])
