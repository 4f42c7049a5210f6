"""What an environment costs over the floor of the app's hops: `python -m benchmarks.cost_floor [--env prod]`
(part of `make benchmark`).

The floor is the cheapest mechanism for each hop the app cannot do without, at the list prices the model uses
(devtools/cost/prices.json), for the same orders and the same measured footprint (devtools/cost/footprint.json):
- one bus event per table change (a custom event each);
- one workflow execution per accepted order (an EXPRESS request; its duration is left out, so the floor is lower than
  any real workflow);
- one stored event per bus event (one write unit each).
Reported as ratios, all from the model's one run: the whole bill over the floor, and each hop's lines over that hop's
floor. No target: it shows how much of the bill is the app's choices rather than its hops.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from devtools.cost.bill import Line
from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Assumptions, Traffic, order_footprint, prices
from devtools.cost.model import priced
from devtools.synth import synthesized_templates_by_region

HOPS = {
    # hop: (the model's lines that pay for it, the floor's price key, units per accepted order from the footprint)
    "bus events": (("EventBridge", "events published"), "eventbridge.customEvent"),
    "executions": (("Step Functions", "EXPRESS"), "stepfunctions.expressRequest"),
    "stored events": (("DynamoDB", "event store writes"), "dynamodb.writeRequestUnit"),
}


def floor_per_hop(traffic: Traffic) -> dict[str, float]:
    per, listed = order_footprint(traffic), prices()["prices"]
    units = {"bus events": per.events, "executions": 1.0, "stored events": per.events}
    return {
        hop: traffic.accepted * units[hop] * listed[key]["usd"] / listed[key]["per"] for hop, (_, key) in HOPS.items()
    }


def paid_per_hop(lines: list[Line]) -> dict[str, float]:
    paid = {}
    for hop, ((service, item), _) in HOPS.items():
        paid[hop] = sum(ln.monthly_usd for ln in lines if ln.service == service and ln.item.startswith(item)
                        and "copies" not in ln.item)  # fmt: skip
    return paid


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.cost_floor", description=__doc__)
    cli.add_argument("--env", default="prod")
    args = cli.parse_args(argv)
    traffic = Traffic()
    regions = [read_settings(r, t) for r, t in synthesized_templates_by_region(args.env).items()]
    result = priced(regions, traffic, Assumptions())
    total = sum(line.monthly_usd for line in result.lines)
    floors, paid = floor_per_hop(traffic), paid_per_hop(result.lines)
    floor = sum(floors.values())
    print(f"cost over the floor of the app's hops ({args.env}, {traffic.orders_per_month:,} orders a month, storage "
          f"apart): the bill is {total / floor:.2f}x the floor")  # fmt: skip
    for hop in HOPS:
        print(f"  {hop:14} {paid[hop] / floors[hop]:6.2f}x its floor")
    print(f"  {'everything else':14} {(total - sum(paid.values())) / floor:6.2f}x the whole floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
