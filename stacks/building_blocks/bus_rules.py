"""Rules on the orders bus: one building block for a consumer's rule, so that every rule gets the same guarantees.

`consumer_rule` makes the rule, its target's own DLQ (alarmed, listed for `python -m ops.dlq` with the rule as its
source) and the bounded retry policy, and decides which events the consumer may see:
- a consumer that acts (starts a workflow, calls an API, queues work for people) never sees a replay from the
  archive, and with a standby region only the events this region's stream pipe published (`acts_once`);
- a consumer that records (the event store, the event log) sees every event, replays included: it keeps history and
  de-duplicates, and a replay is how it catches up; with a standby region, every event once in all: each region's
  recorders take what that region published, and the events no region published (a foreign producer's), never the
  other region's replicated copies (`records_once`).

Acting is the default; a recorder says so with `records_every_event=True`. tests/contracts/test_bus_rules.py checks
from the templates, not from this module, that every rule whose target has side effects excludes replays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_sns as sns
from constructs import Construct

from lambdas.shared.entities import EVENT_SOURCE
from stacks.building_blocks.dead_letter_queue import DeadLetterQueue

# EventBridge's default is 185 attempts over 24 hours; a bounded policy surfaces a broken target within hours.
TARGET_RETRY_ATTEMPTS = 8
TARGET_MAX_EVENT_AGE = Duration.hours(6)

# What a target factory receives: the keyword arguments every aws_events_targets target takes for its DLQ and retries.
ReliableTargetOptions = dict[str, Any]
TargetFactory = Callable[[ReliableTargetOptions], events.IRuleTarget]


def table_events(*detail_types: str, detail: dict[str, object] | None = None) -> events.EventPattern:
    """Events the stream pipe published for the given detail-types."""
    return events.EventPattern(source=[EVENT_SOURCE], detail_type=list(detail_types), detail=detail)


@dataclass(frozen=True)
class ConsumerRule:
    rule: events.Rule
    dead_letter_queue: DeadLetterQueue


def consumer_rule(
    scope: Construct,
    construct_id: str,
    *,
    bus: events.IEventBus,
    event_pattern: events.EventPattern,
    description: str,
    target: TargetFactory,
    holds: str,
    alarm_topic: sns.ITopic,
    acting_region: str | None,
    records_every_event: bool = False,
    dead_letter_id: str | None = None,
) -> ConsumerRule:
    """A rule `construct_id` on `bus` whose one target is `target(options)`, with its own DLQ.

    `holds`: what ends up in the DLQ, for its alarm (e.g. "OrderCreated events that did not start the workflow").
    `acting_region`: with a standby region, the region whose published events this consumer acts on (None: one
    region). `dead_letter_id` defaults to `<construct_id>DeadLetterQueue`; the rules that predate this block pass
    their DLQ's existing id, since a new id would replace the queue and lose what it holds.
    """
    dead_letter_queue = DeadLetterQueue(
        scope, dead_letter_id or f"{construct_id}DeadLetterQueue", holds=holds, alarm_topic=alarm_topic
    )
    options: ReliableTargetOptions = {
        "dead_letter_queue": dead_letter_queue.queue,
        "retry_attempts": TARGET_RETRY_ATTEMPTS,
        "max_event_age": TARGET_MAX_EVENT_AGE,
    }
    rule = events.Rule(
        scope,
        construct_id,
        description=description,
        event_bus=bus,
        event_pattern=event_pattern,
        targets=[target(options)],
    )
    if records_every_event:
        records_once(rule, recording_region=acting_region)
    else:
        acts_once(rule, acting_region=acting_region)
    dead_letter_queue.source_arn = rule.rule_arn
    return ConsumerRule(rule, dead_letter_queue)


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


def own_or_foreign(region: str) -> list[object]:
    """An `originRegion` match for the events `region` published and those no region did. Values in one pattern
    array are alternatives (docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html), and
    `exists: false` matches an event without the field: a foreign producer's event has no envelope."""
    return [region, {"exists": False}]


def records_once(rule: events.Rule, *, recording_region: str | None) -> None:
    """With a standby region, a recorder records each event in the region that published it: the other region's
    copies (the global endpoint's replication, whether or not it copies what the pipe puts on the bus) are left to
    that region's own recorders, so a month of events is stored, logged and archived once, not twice."""
    if recording_region is None:
        return
    cfn_rule = rule.node.default_child
    assert isinstance(cfn_rule, events.CfnRule)
    cfn_rule.add_property_override("EventPattern.detail.metadata.originRegion", own_or_foreign(recording_region))
