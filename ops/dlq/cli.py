"""python -m ops.dlq --env <env> list | show <dlq> | redrive <dlq> [--dry-run] [--yes] [--max N]"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ops.aws import OperatorError, client_factory, environment, run
from ops.dlq.catalog import DeadLetterQueueInfo, catalog, depth, find, peek
from ops.dlq.deliveries import StreamRedelivery, TargetDelivery, describe_stream_pipe
from ops.dlq.messages import decoded, summary
from ops.dlq.redrive import Outcome, dry_run, move_back_to_source, redrive_messages, refuse_rejected

ClientFactory = Callable[[str], Any]


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m ops.dlq", description=__doc__)
    cli.add_argument("--env", default="dev", help="environment whose stacks list the DLQs (default: dev)")
    cli.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = cli.add_subparsers(dest="command", required=True)
    listing = commands.add_parser(
        "list", help="every DLQ: what it holds, its depth, the age of the oldest message seen"
    )
    listing.add_argument("--json", action="store_true", help="print JSON, not a table")
    show = commands.add_parser("show", help="a DLQ's messages, decoded (left in place)")
    show.add_argument("dlq", help="its label from `list`, or a part of it that names one")
    show.add_argument("--max", type=int, default=10, help="messages to show (default 10)")
    redrive = commands.add_parser("redrive", help="put a DLQ's messages back where they belong")
    redrive.add_argument("dlq", help="its label from `list`, or a part of it that names one")
    redrive.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
    redrive.add_argument("--yes", action="store_true", help="do not ask before changing anything")
    redrive.add_argument("--max", type=int, default=1000, help="messages to redrive at most (default 1000)")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO | None = None,
         ask: Callable[[str], str] = input) -> int:  # fmt: skip
    args = parser().parse_args(argv)
    return run(lambda: _command(args, out, err or sys.stderr, ask), args.env, args.debug, err)


def _command(args: argparse.Namespace, out: TextIO, err: TextIO, ask: Callable[[str], str]) -> int:
    config = environment(args.env)
    client = client_factory(config)
    queues = catalog(client, args.env)
    if args.command == "list":
        print(as_json(client("sqs"), queues) if args.json else as_table(client("sqs"), queues), file=out)
        return 0
    queue = find(queues, args.dlq)
    if args.command == "show":
        letters = [decoded(message) for message in peek(client("sqs"), queue, args.max)]
        print(json.dumps([summary(letter) for letter in letters], indent=2, default=str), file=out)
        visible = depth(client("sqs"), queue).visible
        print(f"({len(letters)} shown of {visible} visible in {queue.label}: {queue.url})", file=out)
        return 0
    if not args.dry_run and not args.yes and not _confirmed(queue, args.max, ask):
        print("nothing changed", file=out)
        return 1
    outcome = _redrive(client, queue, config.cache.api_key_secret_name, args, err)
    for note in outcome.notes[-20:]:
        print(f"  {note}", file=out)
    print(f"{queue.label}: {outcome.line(args.dry_run)}", file=out)
    return 0 if outcome.failed == 0 else 1


def _confirmed(queue: DeadLetterQueueInfo, limit: int, ask: Callable[[str], str]) -> bool:
    if not sys.stdin.isatty() and ask is input:
        raise OperatorError("redrive changes queues: confirm with --yes when not at a terminal (or try --dry-run)")
    answer = ask(f"Redrive up to {limit} messages of {queue.label} back to {_back_to(queue)}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _back_to(queue: DeadLetterQueueInfo) -> str:
    if queue.kind == "rejected":
        return "nowhere: the producer fixes and resends"
    if queue.kind == "queue":
        return f"queue {queue.source.rsplit(':', 1)[-1]}"
    if queue.kind == "stream-pipe":
        return f"the bus, through pipe {queue.source.rsplit('/', 1)[-1]}"
    return "the one target that missed each event"


def _redrive(client: ClientFactory, queue: DeadLetterQueueInfo, secret_name: str, args: argparse.Namespace,
             err: TextIO) -> Outcome:  # fmt: skip
    sqs = client("sqs")
    if queue.kind == "rejected":
        return refuse_rejected(queue)
    if args.dry_run:
        return dry_run(sqs, queue, limit=args.max, progress=err)
    if queue.kind == "queue":
        return move_back_to_source(sqs, queue, limit=args.max, progress=err)
    if queue.kind == "stream-pipe":
        delivery: Callable[[Any], str] = StreamRedelivery(client, describe_stream_pipe(client, queue))
    else:

        def api_key() -> str:
            return str(client("secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"])

        delivery = TargetDelivery(client, queue, api_key)
    return redrive_messages(sqs, queue, delivery, dry_run=False, limit=args.max, progress=err)


def as_json(sqs: Any, queues: list[DeadLetterQueueInfo]) -> str:
    rows = []
    for queue in queues:
        found = depth(sqs, queue)
        rows.append(
            {
                "dlq": queue.label,
                "kind": queue.kind,
                "visible": found.visible,
                "inFlight": found.in_flight,
                "oldestSeenSeconds": found.oldest_seen_seconds,
                "goesBackTo": _back_to(queue),
                "url": queue.url,
            }
        )
    return json.dumps(rows, indent=2)


def as_table(sqs: Any, queues: list[DeadLetterQueueInfo]) -> str:
    rows = [("dlq", "kind", "visible", "in flight", "oldest seen", "goes back to")]
    for queue in queues:
        found = depth(sqs, queue)
        age = "-" if found.oldest_seen_seconds is None else _age(found.oldest_seen_seconds)
        rows.append((queue.label, queue.kind, str(found.visible), str(found.in_flight), age, _back_to(queue)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
