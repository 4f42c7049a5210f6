"""The monthly cost of an environment at a traffic profile: one line per billable item and region, from what each
region's templates declare (deployed_settings) and the traffic, assumptions, prices and measured per-order footprint
of `inputs`; storage apart (storage.py); it refuses what it does not price (coverage)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from devtools.cost import fixed_lines, traffic_lines
from devtools.cost.bill import Bill, Line
from devtools.cost.coverage import UnpricedResources, unknown_types, unpriced_by_name
from devtools.cost.deployed_settings import RegionSettings
from devtools.cost.inputs import Assumptions, Traffic, order_footprint, prices
from devtools.cost.storage import Kept, kept, storage_lines


@dataclass(frozen=True)
class Priced:
    lines: list[Line]  # a month of traffic and of standing resources
    storage: list[Line]  # what one month of orders adds to the bill of every month it is kept
    kept: list[Kept]


def priced(regions: list[RegionSettings], traffic: Traffic, assume: Assumptions) -> Priced:
    publishing = [region for region in regions if region.publishes]
    if len(publishing) != 1:
        raise ValueError(f"exactly one region must publish (run its stream pipe); found {len(publishing)}")
    [active] = publishing
    per = order_footprint(traffic)
    bill = Bill(prices())
    traffic_lines.intake(bill, active, traffic, assume)
    traffic_lines.workflow(bill, active, traffic, assume, per)
    traffic_lines.table_writes(bill, regions, traffic, per)
    traffic_lines.fabric(bill, active, traffic, assume, per)
    traffic_lines.recorders(bill, active, traffic, assume, per)
    traffic_lines.actors(bill, active, traffic, assume, per)
    for other in regions:
        if other is not active:
            traffic_lines.replication(bill, regions=regions, other=other, traffic=traffic, assume=assume, per=per)
    for region in regions:
        traffic_lines.sweeps(bill, region, assume)
    for region in regions:
        fixed_lines.logs(bill, region, assume, per, traffic)
        fixed_lines.traces(bill, region, assume)
        fixed_lines.standing(bill, region, assume)
        fixed_lines.notifications(bill, region, assume)
    _refuse_what_is_not_priced(bill, regions)
    tables = kept(regions, traffic, per)
    return Priced(bill.lines, storage_lines(bill, tables), tables)


def monthly_lines(regions: list[RegionSettings], traffic: Traffic, assume: Assumptions) -> list[Line]:
    return priced(regions, traffic, assume).lines


def _refuse_what_is_not_priced(bill: Bill, regions: list[RegionSettings]) -> None:
    """A resource the model leaves out would make the total look cheaper than it is: fail instead."""
    types: dict[str, list[str]] = {}
    for region in regions:
        for kind, paths in region.resource_types.items():
            types.setdefault(kind, []).extend(paths)
    problems = unknown_types(types)
    problems += unpriced_by_name("rule", [p for r in regions for p in r.rules], bill.priced)
    problems += unpriced_by_name("topic", [p for r in regions for p in r.topics], bill.priced)
    invoked = {package for _, package in bill.invocations}
    problems += [
        f"function lambdas.{package}: no line of devtools/cost invokes it (traffic_lines.lambda_line)"
        for package in sorted({p for r in regions for p in r.functions} - invoked)
    ]
    if problems:
        raise UnpricedResources(problems)


def summary(lines: list[Line], traffic: Traffic) -> dict[str, Any]:
    total = sum(line.monthly_usd for line in lines)
    top = sorted(lines, key=lambda line: line.monthly_usd, reverse=True)[:3]
    by_region: dict[str, float] = {}
    for line in lines:
        by_region[line.region] = by_region.get(line.region, 0.0) + line.monthly_usd
    return {
        "monthlyUsd": total,
        "perMillionOrdersUsd": total / traffic.orders_per_month * 1_000_000,
        "byRegionUsd": by_region,
        "topDrivers": [
            {
                "region": t.region,
                "service": t.service,
                "item": t.item,
                "monthlyUsd": t.monthly_usd,
                "share": t.monthly_usd / total if total else 0,
            }
            for t in top
        ],
        "traffic": asdict(traffic) | {"ordersPerSecond": traffic.orders_per_second},
    }
