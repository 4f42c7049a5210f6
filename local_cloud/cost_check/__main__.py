"""python -m local_cloud.cost_check: see the package's docstring."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Traffic
from devtools.cost.item_sizes import WRITE_UNIT_BYTES, item_bytes
from devtools.synth import synthesized_templates_by_region
from local_cloud import cost_check
from local_cloud.cost_check.comparison import TOLERANCE, compare
from local_cloud.cost_check.counted_run import CountedRun
from local_cloud.settings import DEFAULT_PORT, LOCAL_ENV, LocalCloud


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.cost_check", description=cost_check.__doc__)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help="the emulator's port on 127.0.0.1 (LOCAL_PORT)")
    cli.add_argument("--orders", type=int, default=300)
    cli.add_argument("--rate", type=float, default=4.0, help="orders a second")
    args = cli.parse_args(argv)
    [(region, templates)] = synthesized_templates_by_region(LOCAL_ENV).items()
    settings = read_settings(region, templates)
    check = CountedRun(LocalCloud(args.port), args.orders, args.rate)
    print(f"cost check {check.run.run_id}: {args.orders} orders of the default mix at {args.rate:g}/s", flush=True)
    check.send(Traffic())
    results, stored = compare(check, settings)
    print(f"\n{'quantity':72} {'counted':>9} {'model':>9} {'diff':>6}")
    for result in results:
        print(f"{result.quantity:72} {result.counted:9.3f} {result.modelled:9.3f} {result.difference:6.1%}")
    sizes = sorted(item_bytes(item) for item in stored)
    if sizes:
        print(f"\nstored events: {len(sizes)}, bytes min {sizes[0]}, median {sizes[len(sizes) // 2]}, max {sizes[-1]}, "
              f"{sum(s > WRITE_UNIT_BYTES for s in sizes) / len(sizes):.0%} over one write unit")  # fmt: skip
    wrong = [result for result in results if result.difference > TOLERANCE]
    off = f"; off: {', '.join(result.quantity for result in wrong)}" if wrong else ""
    print(f"\n{len(results) - len(wrong)} of {len(results)} within {TOLERANCE:.0%}{off}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
