"""Helpers for rules on the orders bus."""

from __future__ import annotations

from aws_cdk import aws_events as events

from lambdas.shared.entities import EVENT_SOURCE


def table_events(*detail_types: str, detail: dict[str, object] | None = None) -> events.EventPattern:
    """Events the stream pipe published for the given detail-types."""
    return events.EventPattern(source=[EVENT_SOURCE], detail_type=list(detail_types), detail=detail)


def acts_once(rule: events.Rule, *, acting_region: str | None) -> None:
    """A rule with side effects matches each change once (docs/design.md):
    - never a replay from the archive (replays carry `replay-name`; CDK's EventPattern has no field for it, so it is
      added to the synthesized pattern);
    - with a standby region (`acting_region` set), only events this region's stream pipe published
      (`metadata.originRegion`): the other region's events arrive too, through the global endpoint's replication, and
      acting on them here as well would act twice, in two regions whose conditional writes do not see each other.
    """
    cfn_rule = rule.node.default_child
    assert isinstance(cfn_rule, events.CfnRule)
    cfn_rule.add_property_override("EventPattern.replay-name", [{"exists": False}])
    if acting_region is not None:
        cfn_rule.add_property_override("EventPattern.detail.metadata.originRegion", [acting_region])
