"""python -m ops.orders --env <env> {show,retry} <orderId>: an order's history with the execution behind each change,
and the order workflow started again for it. Table, event store and state machine come from the stack outputs.

Exit status: 0 done; 1 an operator error (an unknown order, a settled order to retry, a declined prompt), one line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, TextIO

from ops.aws import OperatorError, client_factory, environment, run_tool, tool_parser
from ops.deployed_app import output_of
from ops.event_store.queries import EventStore
from ops.orders.history import OrderHistory, current_order, order_history
from ops.orders.restart import plan_retry, retry
from stacks.names import Output


def parser() -> argparse.ArgumentParser:
    cli = tool_parser("python -m ops.orders", __doc__)
    commands = cli.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="the order now, its status changes and the execution of each")
    show.add_argument("order_id")
    show.add_argument("--json", action="store_true", help="print JSON, not text")
    again = commands.add_parser("retry", help="start the order workflow again for a stuck or failed order")
    again.add_argument("order_id")
    again.add_argument("--yes", action="store_true", help="do not ask before acting")
    again.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         ask: Callable[[str], str] = input) -> int:  # fmt: skip
    return run_tool(parser(), _command, argv, out=out, err=err, ask=ask)


def _command(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str]) -> int:
    client = client_factory(environment(args.env))
    cloudformation, dynamodb = client("cloudformation"), client("dynamodb")
    table = output_of(cloudformation, args.env, Output.TABLE_NAME)
    if args.command == "show":
        store = EventStore(dynamodb, output_of(cloudformation, args.env, Output.EVENT_STORE_TABLE_NAME))
        history = order_history(dynamodb, table, store, args.order_id)
        if history.current is None and not history.changes:
            raise OperatorError(f"no order {args.order_id!r} in the table or the event store")
        print(as_json(history) if args.json else as_text(history), file=out)
        return 0
    plan = plan_retry(current_order(dynamodb, table, args.order_id), args.order_id)
    print(f"{'would ' if args.dry_run else ''}{plan.describe()}", file=out)
    if args.dry_run:
        return 0
    if not args.yes and ask("go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
        raise OperatorError("not retried")
    machine = output_of(cloudformation, args.env, Output.STATE_MACHINE_ARN)
    arn = retry(plan, table_client=dynamodb, table_name=table, stepfunctions=client("stepfunctions"),
                state_machine_arn=machine)  # fmt: skip
    print(f"started {arn}", file=out)
    return 0


def as_text(history: OrderHistory) -> str:
    order = history.current or {}
    reason = f" ({order['statusReason']})" if order.get("statusReason") else ""
    since = f", open since {order['openSince'].split('#')[0]}" if history.open and order.get("openSince") else ""
    lines = [f"order {history.order_id}: {order.get('status', 'not in the table')}{reason}{since}"]
    if history.shipment:
        lines.append(f"shipment {history.shipment['shipmentId']} created {history.shipment['shippedAt']}")
    lines.append("changes (from the event store):")
    for change in history.changes:
        by = change.execution or "-"
        reason = f"  ({change.reason})" if change.reason else ""
        lines.append(
            f"  {change.at}  {change.change:6}  {change.before or '-':>11} -> {change.after or '-':11}  {by}{reason}"
        )
    lines.append("executions:")
    lines += [f"  {e.name}: {', '.join(e.changes)} => {e.outcome}" for e in history.executions] or ["  (none wrote)"]
    return "\n".join(lines)


def as_json(history: OrderHistory) -> str:
    found: dict[str, Any] = {
        "orderId": history.order_id, "order": history.current, "shipment": history.shipment, "open": history.open,
        "changes": [asdict(c) for c in history.changes], "executions": [asdict(e) for e in history.executions],
    }  # fmt: skip
    return json.dumps(found, indent=2, sort_keys=True)
