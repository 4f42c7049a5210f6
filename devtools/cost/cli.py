"""python -m devtools.cost --env <env> [--orders N] [--json]: the monthly cost table of an environment.

Exit status 2 when the templates hold a resource the model does not price (devtools/cost/coverage.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any, TextIO

from devtools.cost.coverage import UnpricedResources
from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Assumptions, Traffic, footprint, order_footprint, prices
from devtools.cost.model import monthly_lines, summary
from devtools.synth import synthesized_templates


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m devtools.cost", description=__doc__)
    cli.add_argument("--env", default="dev")
    cli.add_argument("--json", action="store_true", help="the same as JSON")
    for field in fields(Traffic):
        flag = "--" + field.name.replace("_", "-").removesuffix("-per-month")
        cli.add_argument(flag, dest=field.name, type=type(field.default), default=field.default,
                         help=f"traffic profile (default {field.default})")  # fmt: skip
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    traffic = Traffic(**{f.name: getattr(args, f.name) for f in fields(Traffic)})
    settings = read_settings(synthesized_templates(args.env))
    assumptions = Assumptions()
    try:
        lines = monthly_lines(settings, traffic, assumptions)
    except UnpricedResources as unpriced:
        print(unpriced, file=sys.stderr)
        return 2
    result = {
        "environment": args.env,
        **summary(lines, traffic),
        "lines": [asdict(line) for line in lines],
        "perOrder": order_footprint(traffic),
        "perOrderSource": footprint()["about"],
        "prices": {k: prices()[k] for k in ("region", "taken", "about")},
        "assumptions": asdict(assumptions) | {"freeTier": "ignored", "capacity": "DynamoDB on-demand"},
        "settings": asdict(settings),
    }
    print(json.dumps(result, indent=2, default=str) if args.json else as_table(result), file=out)
    return 0


def as_table(result: dict[str, Any]) -> str:
    rows = [f"{'service':16} {'item':62} {'quantity':>16} {'unit price':>22} {'USD/month':>11}"]
    for line in sorted(result["lines"], key=lambda ln: -ln["monthly_usd"]):
        price = f"${line['unit_price']:g}/{_count(line['per'])}"
        rows.append(f"{line['service']:16} {line['item'][:62]:62} {line['quantity']:16,.1f} {price:>22} "
                    f"{line['monthly_usd']:11,.2f}")  # fmt: skip
    traffic = result["traffic"]
    drivers = "; ".join(f"{d['item']} ({d['share']:.0%})" for d in result["topDrivers"])
    per = result["perOrder"]
    return "\n".join([
        f"Orders ({result['environment']}): {traffic['orders_per_month']:,} orders/month; prices "
        f"{result['prices']['region']} taken {result['prices']['taken']} (devtools/cost/prices.json)", "", *rows, "",
        f"total: ${result['monthlyUsd']:,.2f}/month = ${result['perMillionOrdersUsd']:,.2f} per million orders",
        f"top drivers: {drivers}",
        f"per accepted order (devtools/cost/footprint.json, measured by running the state machine): "
        f"{per['transitions']:.2f} state transitions, {per['streamRecords']:.2f} stream records = bus events, "
        f"{per['orderEvents']:.2f} order events",
        "assumptions: free tier ignored; DynamoDB on-demand; Lambda warm durations "
        + ", ".join(f"{k} {v:g} ms" for k, v in result["assumptions"]["lambda_ms"])
        + f"; event {traffic['event_kb']} KB, stored event {traffic['stored_event_kb']} KB; log sizes and "
        "compression, X-Ray sampling and Express duration as in devtools/cost/inputs.py (Assumptions)",
    ])  # fmt: skip


def _count(per: int) -> str:
    return {1: "unit", 1000: "1K", 100000: "100K", 1000000: "1M"}.get(per, str(per))
