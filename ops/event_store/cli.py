"""Command line over the event store and the archive; resolves table, archive and bus from the stack outputs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from ops.aws import OperatorError, client_factory, environment, run
from ops.deployed_app import output_of
from ops.event_store.queries import EventStore, StoredEvent, as_of, fold
from ops.event_store.replay import start_replay
from ops.event_store.trace import stream_time, trace_lines
from stacks.names import Output

TRACE_WINDOW_HOURS = 1  # a request's events, from intake to a settled order, take seconds to minutes


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _options(defaults: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after its name (after it, they only override what was given)."""
    options = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    options.add_argument("--env", default=default("dev"), help="environment whose stacks to read (default: dev)")
    options.add_argument("--table", default=default(None), help="event store table (default: the stack output)")
    options.add_argument("--json", action="store_true", default=default(False), help="print JSON, not a table")
    options.add_argument("--debug", action="store_true", default=default(False), help="show tracebacks of errors")
    return options


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m ops.event_store", description=__doc__, parents=[_options(True)])
    commands = cli.add_subparsers(dest="command", required=True)
    late = [_options(False)]
    aggregate = commands.add_parser("aggregate", help="events of one aggregate, in order", parents=late)
    aggregate.add_argument("entity", help="e.g. Order")
    aggregate.add_argument("entity_id")
    for name, help_text in (
        ("type", "events of one detail-type in a time range"),
        ("range", "all events in a time range"),
    ):
        command = commands.add_parser(name, help=help_text, parents=late)
        if name == "type":
            command.add_argument("detail_type", help="e.g. OrderCreated")
        command.add_argument("--from", dest="start", type=parse_time, required=True, help="ISO time, inclusive")
        command.add_argument("--to", dest="end", type=parse_time, required=True, help="ISO time, exclusive")
    order = commands.add_parser("order", help="the state of an order rebuilt by folding its events", parents=late)
    order.add_argument("order_id")
    point = order.add_mutually_exclusive_group()
    point.add_argument("--as-of", type=parse_time, help="its state at this time (ISO; its events up to then)")
    point.add_argument("--version", type=int, help="its state at this version (its events up to it)")
    trace = commands.add_parser("trace", help="every event of one request (correlation id), across entities",
                                parents=late)  # fmt: skip
    trace.add_argument("correlation_id")
    trace.add_argument(
        "--from",
        dest="start",
        type=parse_time,
        required=True,
        help="ISO time the request began, or before it (the store is read by day over the window)",
    )
    trace.add_argument(
        "--to", dest="end", type=parse_time, help=f"ISO time, exclusive (default: {TRACE_WINDOW_HOURS} h after --from)"
    )
    replay = commands.add_parser("replay", help="replay an archive window to chosen rules only", parents=late)
    replay.add_argument("--from", dest="start", type=parse_time, required=True)
    replay.add_argument("--to", dest="end", type=parse_time, required=True)
    replay.add_argument("--rule", dest="rules", action="append", required=True, help="rule ARN (repeatable)")
    replay.add_argument("--name", help="replay name (default: derived from the time)")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = parser().parse_args(argv)
    return run(lambda: _command(args, out), args.env, args.debug, err)


def progress_on(err: TextIO, every_seconds: float = 2.0) -> Callable[[int, int], None]:
    """A line on `err` every few seconds while a query by time reads its day partitions (four per day): a range of
    years takes a minute, and says so."""
    said = [time.monotonic()]

    def progress(done: int, total: int) -> None:
        if done < total and time.monotonic() - said[0] >= every_seconds:
            print(f"  read {done:,} of {total:,} day partitions ({done / total:.0%})", file=err, flush=True)
            said[0] = time.monotonic()

    return progress


def _command(args: argparse.Namespace, out: TextIO) -> int:
    client = client_factory(environment(args.env))
    if args.command == "replay":
        return _replay(args, client, out)
    cloudformation = client("cloudformation")
    table = args.table or output_of(cloudformation, args.env, Output.EVENT_STORE_TABLE_NAME)
    store = EventStore(client("dynamodb"), table, progress=progress_on(sys.stderr))
    if args.command == "order":
        return _order(args, store, out)
    if args.command == "trace":
        end = args.end or args.start + timedelta(hours=TRACE_WINDOW_HOURS)
        traced = store.trace(args.correlation_id, milliseconds(args.start), milliseconds(end))
        if not traced:
            raise OperatorError(f"no event of request {args.correlation_id!r} between {args.start:%Y-%m-%dT%H:%M:%SZ}"
                                f" and {end:%Y-%m-%dT%H:%M:%SZ}: widen --from/--to")  # fmt: skip
        print(as_json(traced) if args.json else "\n".join(trace_lines(args.correlation_id, traced)), file=out)
        return 0
    if args.command == "aggregate":
        events = store.aggregate(args.entity, args.entity_id)
    elif args.command == "type":
        events = store.of_type(args.detail_type, milliseconds(args.start), milliseconds(args.end))
    else:
        events = store.between(milliseconds(args.start), milliseconds(args.end))
    print(as_json(events) if args.json else as_table(events), file=out)
    return 0


def _order(args: argparse.Namespace, store: EventStore, out: TextIO) -> int:
    events = store.aggregate("Order", args.order_id)
    if not events:
        raise OperatorError(f"no events of order {args.order_id!r} in the event store")
    try:
        kept = as_of(events, until_ms=milliseconds(args.as_of) if args.as_of else None, version=args.version)
    except ValueError as error:
        raise OperatorError(f"order {args.order_id}: {error}") from None
    if not kept:
        raise OperatorError(f"order {args.order_id} did not exist yet at that point (its first event: "
                            f"{events[0].detail_type} at {stream_time(events[0].occurred_at)})")  # fmt: skip
    state = fold(kept)
    if state is None:
        raise OperatorError(f"order {args.order_id} was deleted at {stream_time(kept[-1].occurred_at)}: ask --as-of "
                            "an earlier time for its last state")  # fmt: skip
    print(json.dumps(state, indent=None if args.json else 2, sort_keys=True), file=out)
    return 0


def _replay(args: argparse.Namespace, client: Callable[[str], Any], out: TextIO) -> int:
    cloudformation = client("cloudformation")
    name = args.name or f"replay-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    try:
        result = start_replay(
            client("events"), name=name,
            archive_arn=output_of(cloudformation, args.env, Output.ARCHIVE_ARN),
            bus_arn=output_of(cloudformation, args.env, Output.EVENT_BUS_ARN),
            rule_arns=args.rules, start=args.start, end=args.end,
        )  # fmt: skip
    except ValueError as error:
        raise OperatorError(str(error)) from None
    print(json.dumps({"replay": name, "state": result.get("State"), "arn": result.get("ReplayArn")}), file=out)
    return 0


COLUMNS = ("occurredAt", "detailType", "aggregate", "change", "eventId", "replay")


def _row(event: StoredEvent) -> tuple[str, ...]:
    occurred = datetime.fromtimestamp(event.occurred_at / 1000, UTC).isoformat(timespec="milliseconds")
    change = str(event.detail.get("metadata", {}).get("change", "-"))
    return (occurred.replace("+00:00", "Z"), event.detail_type, event.aggregate, change, event.event_id,
            event.replay_name or "-")  # fmt: skip


def as_table(events: list[StoredEvent]) -> str:
    rows = [COLUMNS, *(_row(event) for event in events)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"({len(events)} event{'s' if len(events) != 1 else ''})")
    return "\n".join(lines)


def as_json(events: list[StoredEvent]) -> str:
    return json.dumps([event.raw for event in events], indent=2)
