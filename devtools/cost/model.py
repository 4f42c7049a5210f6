"""The monthly cost of an environment at a traffic profile: one line per billable item, from what the templates
declare (deployed_settings) and the traffic, assumptions, prices and per-order footprint of `inputs`; it refuses
what it does not price (coverage)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from devtools.cost.coverage import UnpricedResources, construct_id, unknown_types, unpriced_by_name
from devtools.cost.deployed_settings import AppSettings
from devtools.cost.inputs import Assumptions, Traffic, order_footprint, prices

SECONDS_PER_MONTH = 30 * 24 * 3600
KB_PER_GB = 1024 * 1024


@dataclass(frozen=True)
class Line:
    service: str
    item: str
    quantity: float
    unit: str
    unit_price: float  # USD per `per` units
    per: int
    monthly_usd: float


@dataclass
class _Bill:
    """The lines so far, and the counts later lines are priced from (logs, traces), kept as they are added."""

    price_list: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    invocations: dict[str, float] = field(default_factory=dict)  # Lambda, by package
    pipe_requests: dict[str, float] = field(default_factory=dict)  # by pipe: intake, stream
    executions: float = 0.0  # of the workflow
    states: float = 0.0  # the workflow's states entered
    priced: set[str] = field(default_factory=set)  # construct ids of the rules and topics some line prices

    def add(self, service: str, item: str, price: str, quantity: float) -> None:
        entry = self.price_list["prices"][price]
        self.lines.append(Line(service, item, quantity, entry["unit"], entry["usd"], entry["per"],
                               quantity / entry["per"] * entry["usd"]))  # fmt: skip


def monthly_lines(settings: AppSettings, traffic: Traffic, assume: Assumptions) -> list[Line]:
    per_order = order_footprint(traffic)
    bill = _Bill(prices())
    orders = traffic.orders_per_month
    accepted = orders * (1 - traffic.share_rejected_at_intake)
    _intake(bill, settings, traffic, assume, orders=orders, accepted=accepted)
    events = accepted * per_order["streamRecords"]
    _workflow(bill, settings, assume, accepted, per_order)
    _fabric(bill, settings, traffic, assume, events)
    _consumers(bill, settings, traffic, assume, events=events, order_events=accepted * per_order["orderEvents"],
               accepted=accepted)  # fmt: skip
    _observability(bill, settings, assume)
    _notifications(bill, settings, assume)
    _refuse_what_is_not_priced(bill, settings)
    return bill.lines


def _refuse_what_is_not_priced(bill: _Bill, settings: AppSettings) -> None:
    """A resource the model leaves out would make the total look cheaper than it is: fail instead."""
    problems = unknown_types(settings.resource_types)
    problems += unpriced_by_name("rule", settings.rules, bill.priced)
    problems += unpriced_by_name("topic", settings.topics, bill.priced)
    problems += [
        f"function lambdas.{package}: no line of devtools/cost/model.py invokes it (_lambda)"
        for package in sorted(set(settings.functions) - set(bill.invocations))
    ]
    if problems:
        raise UnpricedResources(problems)


def _lambda(bill: _Bill, settings: AppSettings, assume: Assumptions, package: str, invocations: float) -> None:
    function = settings.functions[package]
    milliseconds = dict(assume.lambda_ms)[package]
    bill.add("Lambda", f"{package} requests", "lambda.request", invocations)
    bill.invocations[package] = bill.invocations.get(package, 0.0) + invocations
    gb_seconds = invocations * milliseconds / 1000 * function.memory_mb / 1024
    bill.add("Lambda", f"{package} duration ({function.memory_mb} MB, {milliseconds:.0f} ms)", "lambda.arm.gbSecond",
             gb_seconds)  # fmt: skip


def _intake(
    bill: _Bill, settings: AppSettings, traffic: Traffic, assume: Assumptions, *, orders: float, accepted: float
) -> None:
    batches = orders / settings.intake_batch_size
    bill.add("SQS", "intake: send, receive and delete", "sqs.request", orders + 2 * batches)
    bill.add("Pipes", "intake pipe requests", "pipes.request", orders)
    bill.pipe_requests["intake"] = orders
    _lambda(bill, settings, assume, "customer_snapshot", batches)
    _lambda(bill, settings, assume, "intake", batches)
    bill.add("DynamoDB", "customer snapshots (BatchGetItem, eventually consistent)", "dynamodb.readRequestUnit",
             orders * 0.5)  # fmt: skip
    order_writes = math.ceil(traffic.order_item_kb) * (1 + len(settings.orders_table.index_projections))
    bill.add("DynamoDB", "orders written by intake (with GSI1)", "dynamodb.writeRequestUnit", accepted * order_writes)
    bill.add("SQS", "rejections", "sqs.request", orders - accepted)


def _workflow(bill: _Bill, settings: AppSettings, assume: Assumptions, accepted: float, per: dict[str, float]) -> None:
    bill.executions, bill.states = accepted, accepted * per["transitions"]
    if settings.workflow_type == "STANDARD":
        bill.add("Step Functions", "STANDARD state transitions", "stepfunctions.standardTransition",
                 accepted * per["transitions"])  # fmt: skip
    else:
        bill.add("Step Functions", "EXPRESS executions", "stepfunctions.expressRequest", accepted)
        bill.add("Step Functions", "EXPRESS duration", "stepfunctions.expressGbSecond",
                 accepted * assume.express_seconds_per_execution * assume.express_memory_gb)  # fmt: skip
    bill.priced.add("OrderCreatedRule")  # one start per accepted order: the executions above
    _lambda(bill, settings, assume, "process_order", accepted * per["process_order"])
    _lambda(bill, settings, assume, "ship_order", accepted * per["ship_order"])
    index_writes = 1 + len(settings.orders_table.index_projections)
    wru = (per["orderWrites"] - 1) * index_writes + per["productWrites"] + per["shipmentWrites"] * index_writes
    wru += per["transactionalItems"]  # a transactional write costs twice
    bill.add(
        "DynamoDB", "workflow writes (orders, stock, shipments, GSI1)", "dynamodb.writeRequestUnit", accepted * wru
    )
    bill.add("DynamoDB", "ProcessOrder product checks (BatchGetItem)", "dynamodb.readRequestUnit",
             accepted * per["process_order"] * 0.5)  # fmt: skip
    if settings.orders_table.replicas > 1:
        replicated = accepted * (wru + index_writes) * (settings.orders_table.replicas - 1)
        bill.add("DynamoDB", "replicated writes to the standby region", "dynamodb.writeRequestUnit", replicated)


def _fabric(bill: _Bill, settings: AppSettings, traffic: Traffic, assume: Assumptions, events: float) -> None:
    batches = events / settings.stream_batch_size
    polls = assume.stream_polls_per_second * SECONDS_PER_MONTH
    bill.add("DynamoDB", "stream reads by the pipe (polls, one shard)", "dynamodb.streamReadRequest", polls)
    bill.add("Pipes", "stream pipe requests", "pipes.request", events)
    bill.pipe_requests["stream"] = events
    _lambda(bill, settings, assume, "enrichment", batches)
    bill.add("EventBridge", "events published", "eventbridge.customEvent", events * math.ceil(traffic.event_kb / 64))
    if settings.archive_retention_days:
        gigabytes = events * traffic.event_kb / KB_PER_GB
        bill.add("EventBridge", "archive processing", "eventbridge.archiveProcessing", gigabytes)
        bill.add("EventBridge", f"archive storage ({settings.archive_retention_days} days kept)",
                 "eventbridge.archiveStorage", gigabytes * settings.archive_retention_days / 30)  # fmt: skip


def _consumers(
    bill: _Bill, settings: AppSettings, traffic: Traffic, assume: Assumptions, *, events: float, order_events: float,
    accepted: float,
) -> None:  # fmt: skip
    batches = events / settings.event_store_batch_size
    bill.add("SQS", "event store buffer: send, receive and delete", "sqs.request", events + 2 * batches)
    bill.priced.add("EveryEventRule")
    _lambda(bill, settings, assume, "event_store", batches)
    base = math.ceil(traffic.stored_event_kb)
    index_wru = sum(base if p == "ALL" else 1 for p in settings.event_store_table.index_projections)
    bill.add("DynamoDB", f"event store writes (table + {len(settings.event_store_table.index_projections)} GSIs: "
             f"{'/'.join(settings.event_store_table.index_projections)})", "dynamodb.writeRequestUnit",
             events * (base + index_wru))  # fmt: skip
    calls = order_events + order_events  # the cache set or delete, and the topic publish
    bill.add("EventBridge", "API destination calls (cache, topic)", "eventbridge.apiDestination", calls)
    bill.priced.update({"OrderCacheSetRule", "OrderCacheDeleteRule", "OrderTopicRule"})
    bill.add("SQS", "high-value review queue", "sqs.request", accepted * traffic.share_high_value * 3)
    bill.priced.add("HighValueOrderRule")
    log_kb = events * traffic.event_kb
    bill.add("CloudWatch Logs", "catch-all event log ingestion", "logs.ingestion", log_kb / KB_PER_GB)
    bill.priced.add("EventLogRule")


def _notifications(bill: _Bill, settings: AppSettings, assume: Assumptions) -> None:
    """The alarm topic: what its alarms publish, and each publish e-mailed to every e-mail subscription."""
    alarm_topics = [path for path in settings.topics if construct_id(path) == "AlarmTopic"]
    published = assume.alarm_notifications_per_month * len(alarm_topics)
    bill.add("SNS", "alarm notifications published", "sns.publish", published)
    bill.add("SNS", "alarm notifications e-mailed", "sns.emailDelivery", published * settings.email_subscriptions)
    bill.priced.add("AlarmTopic")


def _observability(bill: _Bill, settings: AppSettings, assume: Assumptions) -> None:
    per_level = dict(assume.log_kb_per_invocation)
    lambda_kb = sum(n * (per_level.get(settings.functions[package].log_level, 1.0) + 0.3)
                    for package, n in bill.invocations.items())  # fmt: skip
    bill.add(
        "CloudWatch Logs", "function logs ingestion (incl. platform lines)", "logs.ingestion", lambda_kb / KB_PER_GB
    )
    per_state = dict(assume.workflow_log_kb_per_state).get(settings.workflow_log_level, 0.0)
    factor = assume.workflow_data_factor if settings.workflow_logs_data else 1.0
    bill.add("CloudWatch Logs", f"workflow logs ingestion (level {settings.workflow_log_level})", "logs.ingestion",
             bill.states * per_state * factor / KB_PER_GB)  # fmt: skip
    per_request = dict(assume.pipe_log_kb_per_request)
    pipe_kb = sum(n * per_request.get(settings.pipe_log_levels[pipe], 0.0) * (3 if settings.pipe_logs_data[pipe] else 1)
                  for pipe, n in bill.pipe_requests.items())  # fmt: skip
    bill.add("CloudWatch Logs", "pipe logs ingestion", "logs.ingestion", pipe_kb / KB_PER_GB)
    ingested = sum(line.quantity for line in bill.lines if line.service == "CloudWatch Logs")
    stored = ingested * assume.log_storage_compression * settings.log_retention_days / 30
    bill.add("CloudWatch Logs", f"log storage ({settings.log_retention_days} days kept)", "logs.storage", stored)
    # Traced: every function invocation and workflow execution (pipes record no traces of their own).
    requests = sum(bill.invocations.values()) + bill.executions
    reservoir = assume.xray_reservoir_per_second * SECONDS_PER_MONTH
    traced = min(requests, reservoir) + assume.xray_sampled_share * max(0.0, requests - reservoir)
    bill.add("X-Ray", "traces recorded (1/s reservoir, then 5%)", "xray.traceRecorded", traced)
    bill.add("CloudWatch", "alarms", "cloudwatch.alarm", settings.alarms)
    bill.add("CloudWatch", "dashboards", "cloudwatch.dashboard", settings.dashboards)
    bill.add("CloudWatch", "custom metrics (Powertools)", "cloudwatch.metric", assume.custom_metrics)
    bill.add("Secrets Manager", "Momento API key", "secretsmanager.secret", settings.secrets)


def summary(lines: list[Line], traffic: Traffic) -> dict[str, Any]:
    total = sum(line.monthly_usd for line in lines)
    top = sorted(lines, key=lambda line: line.monthly_usd, reverse=True)[:3]
    return {
        "monthlyUsd": total,
        "perMillionOrdersUsd": total / traffic.orders_per_month * 1_000_000,
        "topDrivers": [
            {
                "service": t.service,
                "item": t.item,
                "monthlyUsd": t.monthly_usd,
                "share": t.monthly_usd / total if total else 0,
            }
            for t in top
        ],
        "traffic": asdict(traffic),
    }
