"""python -m devtools.cost --env <env> [--orders N] [--json]: the monthly cost table of an environment, every region.

Exit status 2 when the templates hold a resource the model does not price (devtools/cost/coverage.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, TextIO

from devtools.cost.coverage import UnpricedResources
from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Assumptions, Traffic, footprint, order_footprint, prices
from devtools.cost.model import priced, summary
from devtools.synth import synthesized_templates_by_region
from ops.aws import OperatorError, environment, run
from ops.pictures import cost_chart


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m devtools.cost", description=__doc__)
    cli.add_argument(
        "--env", default="dev", help="the environment in cdk.json whose templates are priced (default: dev)"
    )
    cli.add_argument("--json", action="store_true", help="the same as JSON")
    cli.add_argument("--chart", type=Path, help="also write an SVG bar chart of the top lines to this file")
    cli.add_argument("--debug", action="store_true", help="show the traceback of an error")
    for field in fields(Traffic):
        flag = "--" + field.name.replace("_", "-").removesuffix("-per-month")
        cli.add_argument(
            flag,
            dest=field.name,
            type=type(field.default),
            default=field.default,
            help=f"traffic profile (default {field.default})",
        )
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    return run(lambda: _command(args, out), args.env, args.debug)


def checked_traffic(args: argparse.Namespace) -> Traffic:
    """The traffic the options describe, or one line naming what cannot be priced."""
    traffic = Traffic(**{f.name: getattr(args, f.name) for f in fields(Traffic)})
    if traffic.orders_per_month < 1:
        raise OperatorError(f"--orders must be 1 or more (got {traffic.orders_per_month}): a month without orders "
                            f"has only the standing lines; price it with --orders 1")  # fmt: skip
    for name, share in traffic.outcome_shares().items():
        if not 0 <= share <= 1:
            raise OperatorError(f"the {name} share must be between 0 and 1 (got {share})")
    if traffic.share_invalid + traffic.share_backordered > 1:
        raise OperatorError("the invalid and backordered shares add up to more than 1")
    return traffic


def _command(args: argparse.Namespace, out: TextIO) -> int:
    environment(args.env)  # an environment cdk.json does not have is one line, before a synth
    traffic = checked_traffic(args)
    regions = [
        read_settings(region, templates) for region, templates in synthesized_templates_by_region(args.env).items()
    ]
    try:
        result = priced(regions, traffic, Assumptions())
    except UnpricedResources as unpriced:
        print(unpriced, file=sys.stderr)
        return 2
    per = order_footprint(traffic)
    price_list = prices()
    report = {
        "environment": args.env,
        **summary(result.lines, traffic),
        "lines": [asdict(line) for line in result.lines],
        "storage": {
            "about": "what one month of orders adds to every later month's bill while it is kept (not in the total)",
            "lines": [asdict(line) for line in result.storage],
            "tables": [asdict(table) for table in result.kept],
        },
        "perOrder": {
            "states": per.states,
            "lambdaCalls": per.lambda_calls,
            "streamRecords": per.records,
            "busEvents": per.events,
            "orderEvents": per.order_records,
            "eventBytes": per.event_bytes,
            "storedEventBytes": per.stored_event_bytes,
        },
        "perOrderSource": footprint()["about"],
        "prices": {"taken": price_list["taken"], "about": price_list["about"], "regions": price_list["regions"]},
        "assumptions": asdict(Assumptions()) | {"freeTier": "ignored", "capacity": "DynamoDB on-demand"},
        "settings": [asdict(region) | {"resource_types": sorted(region.resource_types)} for region in regions],
    }
    print(json.dumps(report, indent=2, default=str) if args.json else as_table(report), file=out)
    if args.chart:
        args.chart.parent.mkdir(parents=True, exist_ok=True)
        args.chart.write_text(cost_chart(report))
        print(f"chart of the top lines: {args.chart}", file=sys.stderr)
    return 0


def as_table(result: dict[str, Any]) -> str:
    traffic, per = result["traffic"], result["perOrder"]
    read_for = {line["region"]: line["price_read_for"] for line in result["lines"]}
    elsewhere = [f"{region}'s at {source}'s" for region, source in sorted(read_for.items()) if region != source]
    borrowed = f"; prices {', '.join(elsewhere)} (no page for the region)" if elsewhere else ""
    head = [
        f"Orders ({result['environment']}): {traffic['orders_per_month']:,} orders/month "
        f"({traffic['ordersPerSecond']:.2f}/s); list prices taken {result['prices']['taken']} "
        f"(devtools/cost/prices.json){borrowed}",
        "",
    ]
    total = result["monthlyUsd"]
    regions = ", ".join(f"{region} ${usd:,.2f}" for region, usd in result["byRegionUsd"].items())
    drivers = "; ".join(f"{d['item']} ({d['share']:.0%})" for d in result["topDrivers"])
    return "\n".join(
        [
            *head,
            *_rows(result["lines"]),
            "",
            f"total: ${total:,.2f}/month = ${result['perMillionOrdersUsd']:,.2f} per million orders ({regions})",
            f"top drivers: {drivers}",
            "",
            "storage, apart from the total: what one month of orders adds to the bill of every month it is kept",
            *_rows(result["storage"]["lines"]),
            *(
                f"  {t['table']}: {t['gigabytes_per_month']:.2f} GB a month of orders, kept "
                f"{'forever' if t['retention_months'] is None else str(round(t['retention_months'], 1)) + ' months'}, "
                f"in {', '.join(t['copies'])}"
                for t in result["storage"]["tables"]
            ),
            "",
            f"per accepted order (devtools/cost/footprint.json, measured by running it): {per['states']:.2f} states, "
            f"{per['streamRecords']:.2f} stream records, {per['busEvents']:.2f} bus events ({per['eventBytes']:,.0f} "
            f"bytes each on average; stored {per['storedEventBytes']:,.0f}), {per['orderEvents']:.2f} order events",
            "assumptions: free tier ignored; DynamoDB on-demand; traffic spread evenly over the month; Lambda warm "
            "durations, log sizes, idle pollers as in devtools/cost/inputs.py (Assumptions)",
        ]
    )


def _rows(lines: list[dict[str, Any]]) -> list[str]:
    rows = [f"{'region':12} {'service':15} {'item':70} {'quantity':>15} {'unit price':>17} {'USD/month':>10}"]
    for line in sorted(lines, key=lambda ln: -ln["monthly_usd"]):
        price = f"${line['unit_price']:g}/{_count(line['per'])}"
        rows.append(
            f"{line['region']:12} {line['service']:15} {line['item'][:70]:70} {line['quantity']:15,.1f} "
            f"{price:>17} {line['monthly_usd']:10,.2f}"
        )
    return rows


def _count(per: int) -> str:
    return {1: "unit", 1000: "1K", 100000: "100K", 1000000: "1M"}.get(per, str(per))
