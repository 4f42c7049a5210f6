"""python -m ops.load --env <env> --orders N [--rate R] [--mix default|contention|duplicates] [--timeout S] [--json F]

Sends N orders through the environment's intake queue at R a second (Poisson arrivals), with its own customer and
products (named `load-<time>-<token>-...`, removed afterwards unless --keep), follows every order to its final
status, and prints an account: sent, written, rejected with reasons, settled by status, stuck and lost; the event
store's record of each order (nothing missing, nothing twice); the cache; every dead-letter queue that changed;
throughput and latency percentiles. Exit status 0: nothing lost, duplicated, stuck or dead-lettered; 1 otherwise
(or on an error, in one line). prod only with --i-know-this-is-prod.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ops.aws import OperatorError, client_factory, environment, run
from ops.deployed_app import DeployedApp
from ops.dlq.catalog import catalog
from ops.load.mixes import MIXES, LoadPlan
from ops.load.observe import LoadWorld
from ops.load.report import as_text
from ops.load.run import load, printer
from ops.momento_cache import MomentoCache
from stacks.names import Output

PROD = "prod"


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m ops.load", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("--env", required=True, help="the environment to load (its stacks must be deployed)")
    cli.add_argument("--orders", type=int, default=100, help="how many orders (default 100)")
    cli.add_argument("--rate", type=float, default=4.0, help="orders sent a second, on average (default 4)")
    cli.add_argument("--mix", choices=MIXES, default="default", help="what the orders are (default: default)")
    cli.add_argument("--timeout", type=float, default=600, help="seconds to wait for every order to settle")
    cli.add_argument("--json", type=Path, help="also write the account to this file as JSON")
    cli.add_argument("--keep", action="store_true", help="leave the run's customer, products and orders in place")
    cli.add_argument("--no-cache", action="store_true", help="do not read the Momento cache back")
    cli.add_argument("--endpoint-url", help="an AWS endpoint other than AWS's own (the local emulator)")
    cli.add_argument("--ca-bundle", help="the certificate that endpoint serves (local: .local/tls/server.crt)")
    cli.add_argument("--i-know-this-is-prod", action="store_true", help="allow --env prod")
    cli.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO | None = None) -> int:
    args = parser().parse_args(argv)
    return run(lambda: _load(args, out), args.env, args.debug, err)


def _load(args: argparse.Namespace, out: TextIO) -> int:
    world, queue_url, plan = prepare(args)
    result = load(world, queue_url, plan, rate=args.rate, timeout=args.timeout, keep=args.keep, say=printer(out))
    print(as_text(result), file=out)
    if args.json:
        args.json.write_text(json.dumps(result.as_json(), indent=2) + "\n")
    return 0 if result.ok else 1


def prepare(args: argparse.Namespace) -> tuple[LoadWorld, str, LoadPlan]:
    """The environment to load, found through its stacks, and the run's plan."""
    if args.env == PROD and not args.i_know_this_is_prod:
        raise OperatorError("a load puts real orders through prod: add --i-know-this-is-prod if that is what you want")
    if args.orders < 1 or args.rate <= 0:
        raise OperatorError("--orders must be at least 1 and --rate above 0")
    config = environment(args.env)
    client = client_factory(config, endpoint_url=args.endpoint_url, verify=args.ca_bundle)
    app = DeployedApp.find(client, args.env)
    cache = None
    if not args.no_cache:
        cache = MomentoCache.of(config, client)
    world = LoadWorld(client, table=app[Output.TABLE_NAME], event_store=app[Output.EVENT_STORE_TABLE_NAME],
                      rejected_queue_url=app[Output.REJECTED_QUEUE_URL], cache=cache,
                      dead_letter_queues=catalog(client, args.env))  # fmt: skip
    plan = LoadPlan.new(args.mix, args.orders, config.workflow.high_value_order_threshold_minor)
    return world, app[Output.INTAKE_QUEUE_URL], plan
