"""Where the local cloud's CPU goes under a load: `python -m benchmarks.local_cloud_share [--orders 200] [--rate 4]`
(`make benchmark-local` brings the local cloud up, deploys, runs this and stops it).

It runs `ops.load`'s default mix through the running local cloud and reads, before and after, the CPU seconds of
each process (local_cloud/cpu.py): the emulator, each Lambda function's workers, the Pipes runner, the Momento
stand-in and this process (the load's driver). It reports ratios measured in that one run, not times: each group's
share of the CPU the run used, the app's functions against the emulator and against the runner, each function's
share of the functions, and the settled orders per second against the rate asked. No target: a change that makes a
function heavier shows as a larger share for it and a larger functions/emulator ratio; one that slows the path
shows as a throughput ratio below 1.
"""

from __future__ import annotations

import argparse
import resource
import sys
from collections.abc import Sequence

from local_cloud.cpu import EMULATOR, EXITED_WORKERS, FUNCTION_PREFIX, RUNNER, CpuMeter
from local_cloud.settings import DEFAULT_PORT, LOCAL_ENV, LocalCloud, LocalCloudError
from ops.load.cli import parser as load_parser
from ops.load.cli import prepare
from ops.load.report import as_text
from ops.load.run import load

DRIVER = "load driver"
FUNCTIONS = "the app's functions"


def _driver_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def shares(used: dict[str, float]) -> dict[str, float]:
    """Each group's share of the total: the functions' workers (live or exited) summed as one group."""
    grouped: dict[str, float] = {}
    for name, seconds in used.items():
        group = FUNCTIONS if name.startswith(FUNCTION_PREFIX) or name == EXITED_WORKERS else name
        grouped[group] = grouped.get(group, 0.0) + seconds
    total = sum(grouped.values())
    return {name: seconds / total for name, seconds in grouped.items()} if total else {}


def report(used: dict[str, float], settled_per_second: float | None, rate: float, orders: int) -> list[str]:
    share = shares(used)
    functions = {n.removeprefix(FUNCTION_PREFIX): s for n, s in used.items() if n.startswith(FUNCTION_PREFIX)}
    lines = [f"local cloud under {orders} orders at {rate:g} a second, {sum(used.values()):.1f} CPU-s in all"]
    if settled_per_second is not None:
        lines.append(f"  throughput: {settled_per_second / rate:.2f} of the rate asked ({settled_per_second:g}/s)")
    lines.append("  share of the run's CPU:")
    lines += [f"    {name:<22} {value:6.1%}" for name, value in sorted(share.items(), key=lambda kv: -kv[1])]
    emulator, runner = used.get(EMULATOR, 0.0), used.get(RUNNER, 0.0)
    functions_total = share.get(FUNCTIONS, 0.0) * sum(used.values())
    if emulator and runner:
        lines.append(f"  functions / emulator {functions_total / emulator:.2f}, functions / runner "
                     f"{functions_total / runner:.2f}, runner / emulator {runner / emulator:.2f}")  # fmt: skip
    total = sum(functions.values())
    if total:
        lines.append("  each function's share of the functions' live workers:")
        lines += [f"    {name:<45} {seconds / total:6.1%}"
                  for name, seconds in sorted(functions.items(), key=lambda kv: -kv[1])]  # fmt: skip
    if used.get(EXITED_WORKERS):
        lines.append(f"  ({used[EXITED_WORKERS]:.1f} CPU-s of workers that exited during the run are in the "
                     "functions' total but not split by function)")  # fmt: skip
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m benchmarks.local_cloud_share", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("--orders", type=int, default=200)
    cli.add_argument("--rate", type=float, default=4.0)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = cli.parse_args(argv)
    cloud = LocalCloud(args.port)
    cloud.use_in_this_process()
    try:
        meter = CpuMeter(cloud)
        world, queue_url, plan = prepare(load_parser().parse_args(["--env", LOCAL_ENV, "--orders", str(args.orders)]))
        before, driver_before = meter.snapshot(), _driver_seconds()
        result = load(world, queue_url, plan, rate=args.rate, timeout=600, keep=False, say=lambda _: None)
        after, driver_after = meter.snapshot(), _driver_seconds()
    except LocalCloudError as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 1
    used = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after} | {
        DRIVER: driver_after - driver_before
    }
    print(as_text(result))
    print("\n".join(report({n: s for n, s in used.items() if s > 0}, result.orders_per_second, args.rate, args.orders)))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
