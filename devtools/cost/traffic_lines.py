"""The lines that scale with orders: what each hop of an order costs in the region that publishes, and what the
other region pays for the copies it receives (replicated table writes, and the bus's replicated events)."""

from __future__ import annotations

from devtools.cost.bill import Bill
from devtools.cost.deployed_settings import RegionSettings
from devtools.cost.inputs import KB_PER_GB, SECONDS_PER_MONTH, Assumptions, OrderFootprint, Traffic, records_per_batch
from devtools.cost.inputs import state_kinds as workflow_state_kinds
from lambdas.cache_sync.momento import KEY_KEPT_SECONDS


def lambda_line(
    bill: Bill, where: RegionSettings, assume: Assumptions, package: str, invocations: float, *, root: bool
) -> None:
    """`root`: each invocation starts a trace of its own (nothing upstream passes one)."""
    function = where.functions[package]
    milliseconds = dict(assume.lambda_ms)[package]
    bill.add(where.region, "Lambda", f"{package} requests", "lambda.request", invocations)
    key = (where.region, package)
    bill.invocations[key] = bill.invocations.get(key, 0.0) + invocations
    if root and function.traced:
        bill.trace_roots[key] = bill.trace_roots.get(key, 0.0) + invocations
    gb_seconds = invocations * milliseconds / 1000 * function.memory_mb / 1024
    bill.add(
        where.region,
        "Lambda",
        f"{package} duration ({function.memory_mb} MB, {milliseconds:.0f} ms)",
        "lambda.arm.gbSecond",
        gb_seconds,
    )


def intake(bill: Bill, where: RegionSettings, traffic: Traffic, assume: Assumptions) -> None:
    orders, region = traffic.orders_per_month, where.region
    per_batch = records_per_batch(traffic.orders_per_second, where.intake.window_seconds, where.intake.batch_size)
    batches = orders / per_batch
    bill.add(
        region,
        "SQS",
        f"intake: send, receive and delete ({per_batch:.2f} messages a batch)",
        "sqs.request",
        orders + 2 * batches,
    )
    bill.add(region, "Pipes", "intake pipe requests", "pipes.request", orders)
    bill.pipe_requests[(region, "intake")] = orders
    lambda_line(bill, where, assume, "customer_snapshot", batches, root=True)
    lambda_line(bill, where, assume, "intake", batches, root=True)
    bill.add(
        region,
        "DynamoDB",
        "customer snapshots (BatchGetItem, eventually consistent)",
        "dynamodb.readRequestUnit",
        orders * 0.5,
    )
    bill.add(region, "SQS", "rejections", "sqs.request", orders - traffic.accepted)


def workflow(bill: Bill, where: RegionSettings, traffic: Traffic, assume: Assumptions, per: OrderFootprint) -> None:
    region, accepted = where.region, traffic.accepted
    bill.states[region] = accepted * per.states
    if where.workflow_type == "STANDARD":
        bill.add(
            region,
            "Step Functions",
            "STANDARD state transitions",
            "stepfunctions.standardTransition",
            accepted * per.states,
        )
    else:
        kinds = workflow_state_kinds(traffic)
        seconds = sum(kinds[kind] * ms for kind, ms in assume.state_ms) / 1000
        bill.add(region, "Step Functions", "EXPRESS executions", "stepfunctions.expressRequest", accepted)
        bill.add(
            region,
            "Step Functions",
            f"EXPRESS duration ({seconds:.2f} s an execution, 64 MB)",
            "stepfunctions.expressGbSecond",
            accepted * seconds * assume.express_memory_gb,
        )
    if where.workflow_traced:
        bill.trace_roots[(region, "workflow")] = accepted
    bill.priced.add("OrderCreatedRule")  # one start per accepted order: the executions above
    for package in ("process_order", "ship_order"):
        lambda_line(bill, where, assume, package, accepted * per.lambda_calls.get(package, 0.0), root=False)
    bill.add(
        region,
        "DynamoDB",
        "ProcessOrder product checks (BatchGetItem, 2 products, eventually consistent)",
        "dynamodb.readRequestUnit",
        accepted * per.lambda_calls["process_order"] * 2 * 0.5,
    )


def table_writes(bill: Bill, regions: list[RegionSettings], traffic: Traffic, per: OrderFootprint) -> None:
    """The table's writes where the global table takes them, and its replicas' copies where they are."""
    [primary] = [r for r in regions if r.orders_table is not None]
    table = primary.orders_table
    assert table is not None
    projections = table.index_projections
    indexes = ", ".join(f"{name} {projection}" for name, projection in projections.items())
    bill.add(
        primary.region,
        "DynamoDB",
        f"table writes: intake and workflow (with {indexes})",
        "dynamodb.writeRequestUnit",
        traffic.accepted * per.table_write_units(projections),
    )
    for replica in (r for r in regions if r.orders_table is None):
        bill.add(
            replica.region,
            "DynamoDB",
            "replicated table writes (no transactional doubling)",
            "dynamodb.replicatedWriteRequestUnit",
            traffic.accepted * per.table_write_units(projections, replica=True),
        )


def fabric(bill: Bill, where: RegionSettings, traffic: Traffic, assume: Assumptions, per: OrderFootprint) -> None:
    """Pipes bills each record its filter passes; the enrichment leaves out the ones that are no event."""
    region, records, events = where.region, traffic.accepted * per.records, traffic.accepted * per.events
    per_second = records / SECONDS_PER_MONTH
    per_batch = records_per_batch(per_second, where.stream.window_seconds, where.stream.batch_size)
    bill.add(
        region,
        "DynamoDB",
        "stream reads by the pipe (polls, one shard)",
        "dynamodb.streamReadRequest",
        assume.stream_polls_per_second * SECONDS_PER_MONTH,
    )
    bill.add(region, "Pipes", "stream pipe requests", "pipes.request", records)
    bill.pipe_requests[(region, "stream")] = records
    lambda_line(bill, where, assume, "enrichment", records / per_batch, root=True)
    bill.add(
        region,
        "EventBridge",
        f"events published ({per.event_bytes / 1024:.2f} KB on average)",
        "eventbridge.customEvent",
        events,
    )


def recorders(
    bill: Bill,
    where: RegionSettings,
    traffic: Traffic,
    assume: Assumptions,
    per: OrderFootprint,
    *,
    copies: bool = False,
) -> None:
    """The archive, the event store and the event log take every event (`copies`: the other region's replicated
    events, where this region's recorders take them)."""
    region, events = where.region, traffic.accepted * per.events
    label = " (the other region's replicated copies)" if copies else ""
    gigabytes = events * per.event_bytes / 1024 / KB_PER_GB
    if where.archive_retention_days:
        bill.add(region, "EventBridge", f"archive processing{label}", "eventbridge.archiveProcessing", gigabytes)
        bill.add(
            region,
            "EventBridge",
            f"archive storage ({where.archive_retention_days} days kept){label}",
            "eventbridge.archiveStorage",
            gigabytes * where.archive_retention_days / 30,
        )
    per_batch = records_per_batch(
        events / SECONDS_PER_MONTH, where.event_store.window_seconds, where.event_store.batch_size
    )
    batches = events / per_batch
    bill.add(
        region,
        "SQS",
        f"event store buffer: send, receive, delete ({per_batch:.2f} a batch){label}",
        "sqs.request",
        events + 2 * batches,
    )
    lambda_line(bill, where, assume, "event_store", batches, root=True)
    projections = list(where.event_store_table.index_projections.values())
    bill.add(
        region,
        "DynamoDB",
        f"event store writes (item and {len(projections)} GSIs: {'/'.join(projections)}){label}",
        "dynamodb.writeRequestUnit",
        events * per.stored_event_write_units(projections),
    )
    ingestion = "logs.ingestionInfrequentAccess" if where.event_log_class == "INFREQUENT_ACCESS" else "logs.ingestion"
    bill.add(
        region,
        "CloudWatch Logs",
        f"catch-all event log ingestion ({where.event_log_class}){label}",
        ingestion,
        gigabytes,
    )
    bill.priced.update({"EveryEventRule", "EventLogRule"})


def actors(bill: Bill, where: RegionSettings, traffic: Traffic, assume: Assumptions, per: OrderFootprint) -> None:
    """The consumers that act on order events: the cache sync and the topic, the review queue."""
    order_events = traffic.accepted * per.order_records
    per_batch = records_per_batch(
        order_events / SECONDS_PER_MONTH, where.cache_sync.window_seconds, where.cache_sync.batch_size
    )
    batches = order_events / per_batch
    bill.add(
        where.region,
        "SQS",
        f"cache sync buffer: send, receive, delete ({per_batch:.2f} a batch)",
        "sqs.request",
        order_events + 2 * batches,
    )
    lambda_line(bill, where, assume, "cache_sync", batches, root=True)
    # Two strongly consistent reads of the order (under 4 KB: one unit each) per order event: the read it caches and
    # the read that confirms it (lambdas/cache_sync/sync.py); an order named twice in a batch is read once.
    bill.add(
        where.region,
        "DynamoDB",
        "cache sync: order reads (GetItem, strongly consistent, 2 an event)",
        "dynamodb.readRequestUnit",
        2 * order_events,
    )
    # The API key is read once per warm instance every KEY_KEPT_SECONDS (5 minutes).
    bill.add(
        where.region,
        "Secrets Manager",
        "cache sync: API key reads (one per instance every 5 min)",
        "secretsmanager.apiCall",
        assume.warm_instances * SECONDS_PER_MONTH / KEY_KEPT_SECONDS if order_events else 0.0,
    )
    bill.add(
        where.region,
        "EventBridge",
        "API destination calls (topic publish)",
        "eventbridge.apiDestination",
        order_events,
    )
    bill.priced.update({"OrderCacheSyncRule", "OrderTopicRule"})
    bill.add(
        where.region, "SQS", "high-value review queue", "sqs.request", traffic.accepted * traffic.share_high_value * 3
    )
    bill.priced.add("HighValueOrderRule")


def replication(
    bill: Bill,
    *,
    regions: list[RegionSettings],
    other: RegionSettings,
    traffic: Traffic,
    assume: Assumptions,
    per: OrderFootprint,
) -> None:
    """A global endpoint with replication: whether its managed rule copies the events the pipe puts on the bus (not
    sent through the endpoint) is not documented, so the copies are priced as if it does; the other region's
    recorders take them only if their patterns let the other region's `originRegion` through."""
    if not any(region.replicating_endpoints for region in regions):
        return
    events = traffic.accepted * per.events
    bill.add(
        other.region,
        "EventBridge",
        "events replicated from the publishing region (if the endpoint copies the pipe's events: AWS does not say)",
        "eventbridge.replicatedEvent",
        events,
    )
    if other.records_other_regions_events:
        recorders(bill, other, traffic, assume, per, copies=True)


def sweeps(bill: Bill, where: RegionSettings, assume: Assumptions) -> None:
    """The order sweeper, where its schedule is enabled: a query of each OpenOrders shard per run (0.5 read units
    each: the open orders' keys are a few hundred bytes); restarts are rare and priced as the workflow's."""
    runs = where.schedules_per_month.get("SweepSchedule", 0.0)
    lambda_line(bill, where, assume, "order_sweeper", runs, root=True)
    bill.add(where.region, "DynamoDB", "order sweeper: OpenOrders queries (4 shards a run)", "dynamodb.readRequestUnit",
             runs * 4 * 0.5)  # fmt: skip
    bill.priced.add("SweepSchedule")
