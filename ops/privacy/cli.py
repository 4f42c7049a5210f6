"""python -m ops.privacy --env <env> {erase,export} --customer <id>: a customer's personal data erased from the
table (GDPR article 17), or everything the app holds about them printed as JSON (article 15).

Personal fields never leave the table (lambdas/shared/personal_data.py), so erasing them there erases them
everywhere; `erase` also deletes their orders' cache entries and keeps an erasure record on the customer's item.
It asks before it acts (`--yes` to skip), `--dry-run` says what it would do, and running it again on an erased
customer says so and changes nothing.

Exit status: 0 done (or nothing left to do); 1 an operator error (an unknown customer, a declined prompt), one line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from lambdas.shared.dynamodb_json import item_to_json
from ops.aws import OperatorError, client_factory, environment, run_tool, tool_parser
from ops.deployed_app import DeployedApp
from ops.event_store.queries import EventStore
from ops.momento_cache import MomentoCache
from ops.privacy.erasure import erase, plan_erasure
from ops.privacy.export import export
from ops.privacy.holdings import Holdings, holdings
from stacks.names import Output


def parser() -> argparse.ArgumentParser:
    cli = tool_parser("python -m ops.privacy", __doc__)
    commands = cli.add_subparsers(dest="command", required=True)
    forget = commands.add_parser("erase", help="remove a customer's personal data from the table, and their cache")
    forget.add_argument("--customer", required=True, help="the customer's id")
    forget.add_argument("--yes", action="store_true", help="do not ask before acting")
    forget.add_argument("--dry-run", action="store_true", help="say what would be done; change nothing")
    forget.add_argument("--json", action="store_true", help="print the report as JSON")
    forget.add_argument("--no-cache", action="store_true", help="leave the cache alone (e.g. it is not reachable)")
    show = commands.add_parser("export", help="print everything the app holds about a customer, as JSON")
    show.add_argument("--customer", required=True, help="the customer's id")
    show.add_argument("--no-cache", action="store_true", help="do not read the cache")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
         ask: Callable[[str], str] = input) -> int:  # fmt: skip
    return run_tool(parser(), _command, argv, out=out, err=err, ask=ask)


@dataclass(frozen=True)
class _Context:
    client: Callable[[str], Any]
    dynamodb: Any
    table: str
    cache: MomentoCache | None
    out: TextIO
    ask: Callable[[str], str]


def _command(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str]) -> int:
    config = environment(args.env)
    client = client_factory(config)
    app = DeployedApp.find(client, args.env)
    dynamodb, table = client("dynamodb"), app[Output.TABLE_NAME]
    found = holdings(dynamodb, table, args.customer)
    if found is None:
        raise OperatorError(f"no customer {args.customer!r} in the table of environment '{args.env}'")
    cache = None if args.no_cache else MomentoCache.of(config, client)
    if args.command == "export":
        document = export(found, EventStore(dynamodb, app[Output.EVENT_STORE_TABLE_NAME]), cache)
        print(json.dumps(document, indent=2, ensure_ascii=False), file=out)
        return 0
    return _erase(args, found, _Context(client, dynamodb, table, cache, out, ask))


def _erase(args: argparse.Namespace, found: Holdings, context: _Context) -> int:
    if found.erasure is not None:
        record = item_to_json({"erasure": found.erasure})["erasure"]
        print(f"customer {found.customer_id} was erased on {record.get('erasedAt')} by {record.get('erasedBy')}: "
              "nothing left to erase", file=context.out)  # fmt: skip
        return 0
    plan = plan_erasure(found)
    print(f"{'would ' if args.dry_run else ''}{plan.describe()}", file=context.out)
    if args.dry_run:
        return 0
    if not args.yes and context.ask("erase? [y/N] ").strip().lower() not in ("y", "yes"):
        raise OperatorError("not erased")
    who = str(context.client("sts").get_caller_identity()["Arn"])
    report = erase(context.dynamodb, context.table, found, cache=context.cache, who=who)
    print(json.dumps(asdict(report), indent=2) if args.json else report.line(), file=context.out)
    return 0
