"""python -m ops.failover --env <env> status | publish-from <region> --since <time> | stop <region>

Fail over: `publish-from <standby> --since <time>` stops the primary's stream pipe and order sweeper if its region
answers and starts the standby's, the pipe passing only records changed at or after <time>. Fail back the same way.
docs/runbook.md says how to choose <time> and what else a failover takes (producers, activeRegion).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ops.aws import OperatorError, environment, explained, run
from ops.failover.stream_pipes import StreamPipe, find_stream_pipe, publishing_update
from stacks.config import EnvironmentConfig
from stacks.names import order_sweeper_schedule_name

RegionClients = Callable[[str], Callable[[str], Any]]  # region -> service -> client


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m ops.failover", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("--env", default="prod", help="environment with a secondaryRegion (default: prod)")
    cli.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = cli.add_subparsers(dest="command", required=True)
    commands.add_parser("status", help="each region's stream pipe: desired and current state, its cutoff")
    publish = commands.add_parser("publish-from", help="make this region's stream pipe the one that publishes")
    publish.add_argument("region")
    since_help = "ISO 8601 time with a zone: only changes from then on are published (docs/runbook.md)"
    publish.add_argument("--since", required=True, type=_instant, help=since_help)
    publish.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")
    publish.add_argument("--yes", action="store_true", help="do not ask before changing anything")
    stop = commands.add_parser("stop", help="stop this region's stream pipe (e.g. once a failed region answers)")
    stop.add_argument("region")
    stop.add_argument("--yes", action="store_true", help="do not ask before changing anything")
    return cli


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO | None = None,
         ask: Callable[[str], str] = input, clients: RegionClients | None = None) -> int:  # fmt: skip
    args = parser().parse_args(argv)
    return run(lambda: _command(args, out, ask, clients or _region_clients), args.env, args.debug, err)


def _region_clients(region: str) -> Callable[[str], Any]:
    client: Callable[[str], Any] = boto3.session.Session(region_name=region).client
    return client


def _command(args: argparse.Namespace, out: TextIO, ask: Callable[[str], str], clients: RegionClients) -> int:
    config = environment(args.env)
    if not config.secondary_region:
        raise OperatorError(f"environment '{args.env}' has no secondaryRegion: there is nothing to fail over to")
    if args.command == "status":
        return _status(config, clients, out)
    _known_region(config, args.region)
    if args.command == "stop":
        pipe = find_stream_pipe(clients(args.region), config.name, args.region)
        if not args.yes and not _confirmed(ask, f"stop {pipe.name} in {args.region}?"):
            print("nothing changed", file=out)
            return 1
        clients(args.region)("pipes").stop_pipe(Name=pipe.name)
        print(f"{args.region}: stopping {pipe.name}", file=out)
        clients(args.region)("events").disable_rule(Name=order_sweeper_schedule_name(config.name))
        print(f"{args.region}: order sweeper disabled", file=out)
        return 0
    return _publish_from(config, args, clients, out, ask)


def _status(config: EnvironmentConfig, clients: RegionClients, out: TextIO) -> int:
    publishing, unreachable = [], []
    for region in config.regions:
        try:
            pipe = find_stream_pipe(clients(region), config.name, region)
        except (OperatorError, BotoCoreError, ClientError) as error:
            print(f"{region}: unreachable ({_reason(error, config.name)})", file=out)
            unreachable.append(region)
            continue
        cutoff = f", publishes changes since {pipe.cutoff.isoformat()}" if pipe.cutoff else ""
        print(f"{region}: {pipe.name} desired {pipe.desired_state}, current {pipe.current_state}{cutoff}", file=out)
        publishing += [region] if pipe.publishes else []
    if len(unreachable) == len(config.regions):
        # Nothing was read: saying "0 regions publish" would state what is not known.
        print("WARNING: no region could be read, so which one publishes is unknown (the reasons are above)", file=out)
        return 1
    if len(publishing) != 1:
        unknown = f" (not counting {', '.join(unreachable)}, which could not be read)" if unreachable else ""
        print(f"WARNING: {len(publishing)} regions publish{unknown}; exactly one should (docs/runbook.md)", file=out)
        return 1
    return 0


def _publish_from(
    config: EnvironmentConfig, args: argparse.Namespace, clients: RegionClients, out: TextIO, ask: Callable[[str], str]
) -> int:
    target = find_stream_pipe(clients(args.region), config.name, args.region)
    other_region = next(r for r in config.regions if r != args.region)
    update = publishing_update(target, args.since)
    plan = (f"stop the stream pipe and the order sweeper in {other_region} (if it answers), then start {target.name} "
            f"in {args.region} publishing changes since {args.since.isoformat()}, and its order sweeper")  # fmt: skip
    if args.dry_run:
        print(f"would {plan}", file=out)
        return 0
    if not args.yes and not _confirmed(ask, f"{plan}?"):
        print("nothing changed", file=out)
        return 1
    stopped = _stop_if_reachable(config, other_region, clients, out)
    clients(args.region)("pipes").update_pipe(**update)
    print(f"{args.region}: starting {target.name}, publishing changes since {args.since.isoformat()}", file=out)
    clients(args.region)("events").enable_rule(Name=order_sweeper_schedule_name(config.name))
    print(f"{args.region}: order sweeper {order_sweeper_schedule_name(config.name)} enabled", file=out)
    print(f"next: set \"activeRegion\": \"{args.region}\" for '{config.name}' in cdk.json and commit it, so a deploy "
          f"keeps this region publishing; see docs/runbook.md", file=out)  # fmt: skip
    if not stopped:
        print(f"WARNING: the pipe in {other_region} may still run: once {other_region} answers, run "
              f"`python -m ops.failover --env {config.name} stop {other_region}`", file=out)  # fmt: skip
    return 0


def _stop_if_reachable(config: EnvironmentConfig, region: str, clients: RegionClients, out: TextIO) -> bool:
    try:
        pipe: StreamPipe = find_stream_pipe(clients(region), config.name, region)
        if pipe.desired_state != "STOPPED":
            clients(region)("pipes").stop_pipe(Name=pipe.name)
        print(f"{region}: {pipe.name} stopping", file=out)
        # Two sweepers would only restart the same orders twice (the workflow absorbs it); one is the one to watch.
        clients(region)("events").disable_rule(Name=order_sweeper_schedule_name(config.name))
        print(f"{region}: order sweeper disabled", file=out)
        return True
    except (OperatorError, BotoCoreError, ClientError) as error:
        print(f"{region}: could not stop its pipe ({_reason(error, config.name)})", file=out)
        return False


def _known_region(config: EnvironmentConfig, region: str) -> None:
    if region not in config.regions:
        raise OperatorError(f"'{region}' is not a region of '{config.name}' ({', '.join(config.regions)})")


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-23T03:10:00Z)") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add Z or an offset")
    if instant > datetime.now(UTC):
        raise argparse.ArgumentTypeError(f"{text!r} is in the future: changes from then on would be dropped")
    return instant


def _reason(error: Exception, env_name: str) -> str:
    return str(error) if isinstance(error, OperatorError) else explained(error, env_name)


def _confirmed(ask: Callable[[str], str], question: str) -> bool:
    return ask(f"{question} [y/N] ").strip().lower() in ("y", "yes")
