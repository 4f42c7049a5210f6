"""python -m ops.backfill --env <env> --to <consumer> [--entity Order] [--since <time>]: the table's current items,
each delivered as an event to one consumer of the bus (the target of one rule), never put on the bus for every rule:
the same "one consumer" delivery as `ops.dlq redrive`. Use it to rebuild a consumer that starts empty (the cache, a
rebuilt event store, a new subscriber of the app's) or to recover what the stream pipe could no longer read back
(docs/runbook.md, "Stream pointers expired").

Each item goes as a `<Entity>Created` whose `metadata.backfilled` says when the backfill ran (ops/backfill/events.py),
at most `--rate` a second. After every page of the table the position is saved (`--state`), so an interrupted
backfill goes on from where it stopped when run again with the same arguments. `--dry-run` reads and counts.

Consumers are named as `ops.dlq list` names their DLQs, without `DeadLetterQueue` (e.g. `EventStore/Rule`,
`CacheIntegration/OrderCacheSyncRule`); any unique part of the name will do.

Exit status: 0 done; 1 an operator error (an unknown consumer, a declined prompt), or deliveries that failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from lambdas.shared.entities import ENTITIES
from ops.aws import OperatorError, client_factory, environment, run_tool, tool_parser
from ops.backfill.events import backfill_event
from ops.backfill.run import Backfill, Progress
from ops.deployed_app import DeployedApp
from ops.dlq.catalog import DeadLetterQueueInfo, catalog
from ops.dlq.deliveries import TargetDelivery
from stacks.names import Output

RULE_TARGET = "rule-target"  # the DLQ kind of a rule's target: one per consumer (stacks/building_blocks/bus_rules.py)
SUFFIX = "DeadLetterQueue"
DEFAULT_RATE = 20.0


def parser() -> argparse.ArgumentParser:
    cli = tool_parser("python -m ops.backfill", __doc__)
    cli.add_argument("--to", dest="consumer", required=True, help="the consumer (a unique part of its name)")
    cli.add_argument("--entity", default="Order", choices=[e.name for e in ENTITIES], help="default: Order")
    cli.add_argument("--since", help="only items last changed at or after this ISO time")
    cli.add_argument("--rate", type=float, default=DEFAULT_RATE, help=f"events a second at most ({DEFAULT_RATE:g})")
    cli.add_argument(
        "--state", type=Path, help="where the position is saved (default: .backfill-<env>-<consumer>.json)"
    )
    cli.add_argument("--dry-run", action="store_true", help="read and count; deliver nothing")
    cli.add_argument("--yes", action="store_true", help="do not ask before delivering")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         ask: Callable[[str], str] = input) -> int:  # fmt: skip
    return run_tool(parser(), _command, argv, out=out, err=err, ask=ask)


def consumer_of(queues: list[DeadLetterQueueInfo], wanted: str) -> tuple[str, DeadLetterQueueInfo]:
    consumers = {q.label.removesuffix(SUFFIX).rstrip("/"): q for q in queues if q.kind == RULE_TARGET}
    matches = [name for name in consumers if wanted == name] or [n for n in consumers if wanted.lower() in n.lower()]
    if len(matches) != 1:
        which = "no consumer matches" if not matches else f"{len(matches)} consumers match"
        raise OperatorError(f"{which} {wanted!r}; they are: {', '.join(sorted(consumers))}")
    return matches[0], consumers[matches[0]]


def _command(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str]) -> int:
    if args.rate <= 0:
        raise OperatorError("--rate must be above 0")
    config = environment(args.env)
    client = client_factory(config)
    name, queue = consumer_of(catalog(client, args.env), args.consumer)
    entity = next(e for e in ENTITIES if e.name == args.entity)
    app = DeployedApp.find(client, args.env)
    dynamodb, table = client("dynamodb"), app[Output.TABLE_NAME]
    if args.dry_run:
        read, wanted = Backfill(dynamodb, table, entity, args.since, args.rate, _nothing).count()
        print(f"would deliver {wanted} of {read} {entity.name} items to {name} (nothing delivered)", file=out)
        return 0
    state = args.state or Path(f".backfill-{args.env}-{name.replace('/', '-')}.json")
    try:
        progress = Progress.load(state, name, entity.name, args.since)
    except ValueError as error:
        raise OperatorError(str(error)) from None
    if progress.finished:
        print(f"{state} says this backfill finished ({progress.line()}): remove it to run it again", file=out)
        return 0
    resumed = f", going on from {state} ({progress.line()})" if progress.position else ""
    print(f"backfill {entity.name} items of {table} to {name} (rule {queue.source.rsplit('/', 1)[-1]}){resumed}",
          file=out)  # fmt: skip
    if not args.yes and ask("deliver? [y/N] ").strip().lower() not in ("y", "yes"):
        raise OperatorError("nothing delivered")
    delivery = TargetDelivery(client, queue, lambda: _api_key(client, config.cache.api_key_secret_name))
    sts = client("sts")
    region, account = sts.meta.region_name, str(sts.get_caller_identity()["Account"])
    now = datetime.now(UTC)

    def deliver(item: dict[str, Any]) -> str:
        event = backfill_event(item, region=region, account=account, table_arn=app[Output.TABLE_ARN], now=now)
        return delivery.deliver(event)

    backfill = Backfill(dynamodb, table, entity, args.since, args.rate, deliver)
    done = backfill.run(progress, lambda p: p.save(state), lambda line: print(line, file=out, flush=True))
    print(f"backfill to {name}: {done.line()}", file=out)
    for failure in done.failed[:10]:
        print(f"  failed: {failure}", file=out)
    return 1 if done.failed else 0


def _nothing(item: dict[str, Any]) -> str:
    raise AssertionError("a dry run delivers nothing")


def _api_key(client: Callable[[str], Any], secret_name: str) -> str:
    return str(client("secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"])
