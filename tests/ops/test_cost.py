"""make cost: the model reads every region's synthesized templates, prices every billable line, and adds up."""

from __future__ import annotations

import copy
import io
import itertools
import json
import random
from typing import Any

import pytest

from devtools.cost import cli
from devtools.cost.coverage import UnpricedResources
from devtools.cost.deployed_settings import RegionSettings, read_settings
from devtools.cost.inputs import (
    Assumptions,
    Traffic,
    batch_sizes,
    footprint,
    order_footprint,
    prices,
    records_per_batch,
)
from devtools.cost.model import monthly_lines, priced, summary
from tests.support.synth import synthesize

pytestmark = pytest.mark.xdist_group("synth")

BILLED_SERVICES = {
    "EventBridge",
    "Pipes",
    "Lambda",
    "Step Functions",
    "SQS",
    "DynamoDB",
    "CloudWatch Logs",
    "CloudWatch",
    "Secrets Manager",
    "X-Ray",
    "SNS",
    "Route 53",
}
FIXED = ("CloudWatch", "Secrets Manager", "Route 53")


def templates_by_region(env_name: str) -> dict[str, dict[str, Any]]:
    """What `make cost` reads: every stack's template, by region (devtools/synth.py)."""
    app = synthesize(env_name)
    found: dict[str, dict[str, Any]] = {}
    for stack in app.app.all():
        found.setdefault(stack.region, {})[stack.stack_name] = app.templates[stack.artifact_id]
    return found


def regions_of(templates: dict[str, dict[str, Any]]) -> list[RegionSettings]:
    return [read_settings(region, by_name) for region, by_name in templates.items()]


def lines(env_name: str, **traffic: Any) -> list[Any]:
    return monthly_lines(regions_of(templates_by_region(env_name)), Traffic(**traffic), Assumptions())


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_every_billable_service_has_a_priced_line_and_the_total_adds_up(env_name: str) -> None:
    found = lines(env_name)
    assert {line.service for line in found} == BILLED_SERVICES
    assert all(line.monthly_usd >= 0 for line in found)
    assert all(line.unit_price > 0 for line in found)
    result = summary(found, Traffic())
    assert result["monthlyUsd"] == pytest.approx(sum(line.monthly_usd for line in found))
    assert sum(result["byRegionUsd"].values()) == pytest.approx(result["monthlyUsd"])
    assert len(result["topDrivers"]) == 3


def test_both_regions_of_prod_are_priced_with_what_each_holds() -> None:
    found = lines("prod")
    standby = [line for line in found if line.region == "eu-central-1"]
    assert {"alarms", "dashboards", "Momento API key"} <= {line.item for line in standby}
    [alarms] = [line for line in standby if line.item == "alarms"]
    assert alarms.quantity == read_settings("eu-central-1", templates_by_region("prod")["eu-central-1"]).alarms > 10
    assert any(line.item.startswith("replicated table writes") for line in standby)
    [health] = [line for line in found if line.service == "Route 53" and line.region == "eu-west-1"]
    assert health.quantity == 1
    assert all(line.price_read_for == prices()["regions"][line.region]["readFor"] for line in found)


def test_the_settings_come_from_the_templates() -> None:
    prod = {r.region: r for r in regions_of(templates_by_region("prod"))}
    dev = regions_of(templates_by_region("dev"))[0]
    assert (prod["eu-west-1"].publishes, prod["eu-central-1"].publishes) == (True, False)
    assert prod["eu-west-1"].orders_table is not None
    assert prod["eu-west-1"].orders_table.replicas == 2
    assert prod["eu-central-1"].orders_table is None  # the replica belongs to the primary's global table
    assert prod["eu-west-1"].workflow_type == "EXPRESS"
    assert dev.workflow_type == "EXPRESS"
    assert dev.event_store_retention_days == 30
    assert prod["eu-west-1"].event_store_retention_days is None
    assert set(dev.functions) == {
        "enrichment",
        "intake",
        "customer_snapshot",
        "order_sweeper",
        "event_store",
        "cache_sync",
        "process_order",
        "ship_order",
    }
    assert (dev.cache_sync.batch_size, dev.cache_sync.window_seconds) == (10, 1.0)


def test_batches_fill_from_the_window_and_the_traffic_rate() -> None:
    assert records_per_batch(0.39, 1, 10) == pytest.approx(1.39)
    assert records_per_batch(50, 1, 10) == 10  # full only when the traffic fills them
    assert records_per_batch(2.6, 0, 10) == 1


def test_the_batch_fill_is_the_mean_of_the_batching_mechanism_at_a_steady_rate() -> None:
    """records_per_batch (the model's formula) against batch_sizes (the mechanism) on Poisson arrivals."""
    generator = random.Random(7)
    for rate, window, size in ((0.39, 1, 10), (4, 1, 10), (2.6, 20, 10), (50, 1, 10)):
        arrivals = list(itertools.accumulate(generator.expovariate(rate) for _ in range(20_000)))
        sizes = batch_sizes(arrivals, window, size)
        assert sum(sizes) / len(sizes) == pytest.approx(records_per_batch(rate, window, size), rel=0.03)
    assert batch_sizes([0.0, 0.5, 1.0, 1.6, 9.0], 1.0, 10) == [3, 1, 1]
    assert batch_sizes([0.0] * 12, 1.0, 10) == [10, 2]
    quiet, busy = (lines("dev", orders_per_month=n) for n in (1_000_000, 50_000_000))
    invocations = {
        n: {ln.item: ln.quantity / orders for ln in found if ln.item == "enrichment requests"}
        for n, (found, orders) in {1: (quiet, 1e6), 50: (busy, 50e6)}.items()
    }
    assert invocations[1]["enrichment requests"] > 2 * invocations[50]["enrichment requests"]


def test_a_cancelled_reservation_writes_no_event_and_a_replica_pays_no_transactional_doubling() -> None:
    per = order_footprint(Traffic())
    measured = footprint()["outcomes"]
    shipped, backordered = (len(measured[o]["writes"]) for o in ("shipped", "backordered"))
    assert backordered == shipped - 2 * 1 - 1  # no product written, no RESERVED step (the shipment is on the order)
    assert measured["backordered"]["cancelledWrites"] == 3  # the order and two products, none of them written
    projections = {"ByCustomer": "ALL", "OpenOrders": "INCLUDE"}
    assert per.table_write_units(projections, replica=True) < per.table_write_units(projections)


def test_functions_the_workflow_calls_are_segments_of_its_trace_not_roots() -> None:
    [traces] = [line for line in lines("dev") if line.service == "X-Ray"]
    assert "workflow" in traces.item
    assert "process_order" not in traces.item
    assert "ship_order" not in traces.item


def test_storage_is_priced_apart_per_month_of_orders_kept() -> None:
    result = priced(regions_of(templates_by_region("prod")), Traffic(), Assumptions())
    assert {line.service for line in result.storage} == {"DynamoDB"}
    assert not any("storage of one month" in line.item for line in result.lines)
    [store] = [table for table in result.kept if table.table == "event store"]
    assert store.retention_months is None
    assert store.copies == ["eu-west-1"]
    assert store.gigabytes_per_month > 1


def test_usage_lines_grow_with_orders_and_standing_lines_do_not() -> None:
    one, two = lines("dev", orders_per_month=1_000_000), lines("dev", orders_per_month=2_000_000)
    by_item = {line.item: line.quantity for line in one}
    for line in two:
        before = by_item.get(line.item)
        if before is None:  # an item names its batch fill, which changes with the rate
            continue
        schedule = line.item.startswith(("order_sweeper", "order sweeper"))  # runs on a clock, not per order
        standing = (
            schedule or line.service in FIXED or any(w in line.item for w in ("polls", "empty receives", "alarm"))
        )
        if standing:
            assert line.quantity == pytest.approx(before), line.item
        elif before:
            assert before < line.quantity <= 2 * before * 1.0001, line.item


def test_the_command_prints_a_table_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's synthesis, rather than a second one that would only cost time.
    monkeypatch.setattr(cli, "synthesized_templates_by_region", templates_by_region)
    out = io.StringIO()
    assert cli.main(["--env", "prod", "--orders", "100000"], out=out) == 0
    printed = out.getvalue()
    assert "per million orders" in printed
    assert "eu-central-1" in printed
    assert "storage, apart from the total" in printed
    out = io.StringIO()
    assert cli.main(["--env", "dev", "--json"], out=out) == 0
    result = json.loads(out.getvalue())
    assert {"lines", "perMillionOrdersUsd", "topDrivers", "assumptions", "prices", "perOrder", "storage"} <= set(result)


def with_resource(env_name: str, stack_suffix: str, logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    templates = copy.deepcopy(templates_by_region(env_name))
    [(region, stack)] = [
        (r, name) for r, by_name in templates.items() for name in by_name if name.endswith(stack_suffix)
    ]
    templates[region][stack]["Resources"][logical_id] = resource
    return templates


def unpriced(templates: dict[str, Any]) -> list[str]:
    with pytest.raises(UnpricedResources) as refused:
        monthly_lines(regions_of(templates), Traffic(), Assumptions())
    return refused.value.problems


def test_a_billable_type_the_model_does_not_know_stops_it() -> None:
    kinesis = {
        "Type": "AWS::Kinesis::Stream",
        "Properties": {"ShardCount": 1},
        "Metadata": {"aws:cdk:path": "Orders-dev-Data/Feed/Resource"},
    }
    [problem] = unpriced(with_resource("dev", "-Data", "Feed", kinesis))
    assert problem.startswith("AWS::Kinesis::Stream (Orders-dev-Data/Feed/Resource): add it to PRICED_TYPES")


def test_a_new_consumers_rule_and_topic_stop_it_until_a_line_prices_them() -> None:
    """The 'add a consumer' recipe's first failure: the rule and its topic are known types, but no line says what
    their events cost."""
    templates = with_resource(
        "dev",
        "-Workflows",
        "NewRule",
        {
            "Type": "AWS::Events::Rule",
            "Properties": {"EventPattern": {"source": ["orders.table"]}},
            "Metadata": {"aws:cdk:path": "Orders-dev-Workflows/NewRule/Resource"},
        },
    )
    [(region, stack)] = [
        (r, name) for r, by_name in templates.items() for name in by_name if name.endswith("-Workflows")
    ]
    templates[region][stack]["Resources"]["NewTopic"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {},
        "Metadata": {"aws:cdk:path": "Orders-dev-Workflows/NewTopic/Resource"},
    }
    assert unpriced(templates) == [
        "rule Orders-dev-Workflows/NewRule/Resource: no line of devtools/cost prices it; add one and record its id in "
        "bill.priced",
        "topic Orders-dev-Workflows/NewTopic/Resource: no line of devtools/cost prices it; add one and record its id "
        "in bill.priced",
    ]


def test_a_function_no_line_invokes_stops_it() -> None:
    function = {
        "Type": "AWS::Lambda::Function",
        "Properties": {"Handler": "lambdas.restock.handler.handler"},
        "Metadata": {"aws:cdk:path": "Orders-dev-Workflows/Restock/Function/Resource"},
    }
    assert unpriced(with_resource("dev", "-Workflows", "Restock", function)) == [
        "function lambdas.restock: no line of devtools/cost invokes it (traffic_lines.lambda_line)"
    ]


def test_the_command_exits_2_and_names_what_it_cannot_price(monkeypatch: pytest.MonkeyPatch) -> None:
    kinesis = {"Type": "AWS::Kinesis::Stream", "Properties": {}, "Metadata": {"aws:cdk:path": "Orders-dev-Data/F"}}
    monkeypatch.setattr(cli, "synthesized_templates_by_region", lambda env: with_resource(env, "-Data", "F", kinesis))
    assert cli.main(["--env", "dev"], out=io.StringIO()) == 2


def test_alarm_notifications_are_priced_per_e_mail_subscription() -> None:
    """prod subscribes the on-call e-mail to each region's alarm topic; dev has no e-mail."""
    emailed = {env: [ln for ln in lines(env) if ln.item == "alarm notifications e-mailed"] for env in ("dev", "prod")}
    assert emailed["dev"][0].quantity == 0
    assert [ln.quantity for ln in emailed["prod"]] == [Assumptions().alarm_notifications_per_month] * 2


def test_a_keys_only_index_pays_only_when_an_order_enters_or_leaves_it() -> None:
    """ByCustomer's keys never change after intake: with KEYS_ONLY, the status writes write nothing to it."""
    per = order_footprint(Traffic())
    all_attributes = per.table_write_units({"ByCustomer": "ALL", "OpenOrders": "INCLUDE"})
    keys_only = per.table_write_units({"ByCustomer": "KEYS_ONLY", "OpenOrders": "INCLUDE"})
    kept = sum(w for w, write in per.writes if write["indexKeys"]["ByCustomer"] == "kept")
    assert all_attributes - keys_only == pytest.approx(kept)
