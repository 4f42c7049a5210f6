"""The lines priced from what the others counted (logs, traces) and the ones every region pays whatever the traffic
(alarms, dashboards, secrets, health checks, idle pollers, notifications)."""

from __future__ import annotations

from devtools.cost.bill import Bill
from devtools.cost.coverage import construct_id
from devtools.cost.deployed_settings import RegionSettings
from devtools.cost.inputs import KB_PER_GB, SECONDS_PER_MONTH, Assumptions, OrderFootprint, Traffic
from lambdas.shared.metric_names import ON_INCIDENT, WITH_TRAFFIC

XRAY_DEFAULT_RESERVOIR_PER_SECOND = 1.0  # X-Ray's default rule: one request a second, then 5 %
XRAY_DEFAULT_SHARE = 0.05


def logs(bill: Bill, where: RegionSettings, assume: Assumptions, per: OrderFootprint, traffic: Traffic) -> None:
    region, per_level = where.region, dict(assume.log_kb_per_invocation)
    lambda_kb = 0.0
    for (in_region, package), n in bill.invocations.items():
        function = where.functions[package]
        platform = assume.platform_log_kb_per_invocation if function.system_log_level in ("INFO", "DEBUG") else 0.0
        lambda_kb += n * (per_level.get(function.log_level, 0.6) + platform) if in_region == region else 0.0
    bill.add(region, "CloudWatch Logs", "function logs ingestion", "logs.ingestion", lambda_kb / KB_PER_GB)
    bill.add(
        region,
        "CloudWatch Logs",
        f"workflow logs ingestion (level {where.workflow_log_level})",
        "logs.ingestion",
        traffic.accepted * _workflow_log_kb(where, per) / KB_PER_GB if region in bill.states else 0.0,
    )
    per_request = dict(assume.pipe_log_kb_per_request)
    pipe_kb = sum(
        n * per_request.get(where.pipe_log_levels[pipe], 0.0) * (3 if where.pipe_logs_data[pipe] else 1)
        for (in_region, pipe), n in bill.pipe_requests.items()
        if in_region == region
    )
    bill.add(region, "CloudWatch Logs", "pipe logs ingestion", "logs.ingestion", pipe_kb / KB_PER_GB)
    ingested = sum(
        ln.quantity
        for ln in bill.lines
        if ln.region == region and ln.service == "CloudWatch Logs" and "ingestion" in ln.item
    )
    stored = ingested * assume.log_storage_compression * where.log_retention_days / 30
    bill.add(region, "CloudWatch Logs", f"log storage ({where.log_retention_days} days kept)", "logs.storage", stored)


def _workflow_log_kb(where: RegionSettings, per: OrderFootprint) -> float:
    """What an execution logs: at ALL, its whole history (measured: footprint.json's `historyBytes`, with and
    without execution data); at ERROR or FATAL, nothing while it succeeds."""
    if where.workflow_log_level != "ALL":
        return 0.0
    return (per.history_bytes if where.workflow_logs_data else per.history_bytes_without_data) / 1024


def traces(bill: Bill, where: RegionSettings, assume: Assumptions) -> None:
    """One trace per root request that is sampled; a function the workflow calls is a segment of its trace.
    Sampling: a workflow's own X-Ray rule where the templates have one (Step Functions honours sampling rules,
    docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html), else X-Ray's default rule, which Lambda
    always applies to the requests it traces itself: 1 a second per function, then 5 %."""
    reservoir = XRAY_DEFAULT_RESERVOIR_PER_SECOND * SECONDS_PER_MONTH
    traced = 0.0
    for (in_region, source), requests in bill.trace_roots.items():
        if in_region != where.region:
            continue
        if source == "workflow" and where.workflow_sampled_share is not None:
            traced += requests * where.workflow_sampled_share
        else:
            traced += min(requests, reservoir) + XRAY_DEFAULT_SHARE * max(0.0, requests - reservoir)
    roots = sorted(source for (in_region, source), n in bill.trace_roots.items() if in_region == where.region and n)
    bill.add(
        where.region, "X-Ray", f"traces recorded (roots: {', '.join(roots) or 'none'})", "xray.traceRecorded", traced
    )


def standing(bill: Bill, where: RegionSettings, assume: Assumptions) -> None:
    """What the region pays while nothing happens."""
    region = where.region
    bill.add(region, "CloudWatch", "alarms", "cloudwatch.alarm", where.alarms)
    bill.add(region, "CloudWatch", "dashboards", "cloudwatch.dashboard", where.dashboards)
    # Custom metrics are billed for the hours they are published: only where the functions run, and an incident's
    # metric only in the hours it counts something (lambdas/shared/metric_names.py).
    runs = any(r == region and n for (r, _), n in bill.invocations.items())
    hours = SECONDS_PER_MONTH / 3600
    metrics = len(WITH_TRAFFIC) + len(ON_INCIDENT) * min(assume.incident_metric_hours_per_month / hours, 1.0)
    bill.add(
        region,
        "CloudWatch",
        f"custom metrics ({len(WITH_TRAFFIC)} with traffic, {len(ON_INCIDENT)} in "
        f"{assume.incident_metric_hours_per_month} incident hours a month)",
        "cloudwatch.metric",
        metrics if runs else 0,
    )
    bill.add(region, "Secrets Manager", "Momento API key", "secretsmanager.secret", where.secrets)
    bill.add(region, "Route 53", "health checks (the global endpoint's)", "route53.healthCheck", where.health_checks)
    idle_polls = assume.idle_queue_pollers * SECONDS_PER_MONTH / assume.long_poll_seconds
    bill.add(
        region,
        "SQS",
        f"empty receives of the intake queue and the event store buffer ({assume.idle_queue_pollers} "
        f"long-polling pollers each, when idle)",
        "sqs.request",
        2 * idle_polls,
    )


def notifications(bill: Bill, where: RegionSettings, assume: Assumptions) -> None:
    """The alarm topic: what its alarms publish, and each publish e-mailed to every e-mail subscription."""
    alarm_topics = [path for path in where.topics if construct_id(path) == "AlarmTopic"]
    published = assume.alarm_notifications_per_month * len(alarm_topics)
    bill.add(where.region, "SNS", "alarm notifications published", "sns.publish", published)
    bill.add(
        where.region, "SNS", "alarm notifications e-mailed", "sns.emailDelivery", published * where.email_subscriptions
    )
    bill.priced.add("AlarmTopic")
