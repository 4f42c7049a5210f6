"""`python -m ops.smoke --env <env>`: the smoke scenario against a deployed environment; exit 1 names the hop."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ops.aws import client_factory, environment, run
from ops.deployed_app import DeployedApp
from ops.momento_cache import MomentoCache
from ops.smoke.data import RunData
from ops.smoke.observers import Events, Queue, RequestLog, Table, WorkflowRuns
from ops.smoke.replay import replay
from ops.smoke.scenario import Bus, Observers, Scenario
from ops.smoke.steps_cache import cache_requests, newest_first_stays_newest
from ops.smoke.steps_once import duplicate_delivery, event_store_exactly_once, user_delete_and_ttl
from ops.smoke.steps_orders import business_outcomes, happy_path, high_value_review, rejected_at_intake
from ops.smoke.steps_privacy import personal_data_stays_in_the_table
from ops.smoke.steps_restart import failed_order_retried, stuck_order_swept
from ops.smoke.trace import HopFailed, Trace
from stacks.config import EnvironmentConfig
from stacks.names import Output

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STEPS = [
    happy_path,
    business_outcomes,
    rejected_at_intake,
    high_value_review,
    duplicate_delivery,
    stuck_order_swept,
    failed_order_retried,
    user_delete_and_ttl,
    event_store_exactly_once,
    cache_requests,
    newest_first_stays_newest,
    replay,
    personal_data_stays_in_the_table,
]


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m ops.smoke", description=__doc__)
    cli.add_argument("--env", required=True, help="the environment to drive (its stacks must be deployed)")
    cli.add_argument("--endpoint-url", help="an AWS endpoint other than AWS's own (the local emulator)")
    cli.add_argument("--ca-bundle", help="the certificate that endpoint serves (local: .local/tls/server.crt)")
    cli.add_argument("--cache-requests", type=Path, help="the Momento stand-in's request log (local runs)")
    cli.add_argument("--timeout", type=float, default=60, help="seconds each hop may take (default 60)")
    cli.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return cli


def observers(args: argparse.Namespace, config: EnvironmentConfig) -> Observers:
    client = client_factory(config, endpoint_url=args.endpoint_url, verify=args.ca_bundle)

    app = DeployedApp.find(client, args.env)
    return Observers(
        table=Table(client("dynamodb"), app[Output.TABLE_NAME]),
        events=Events(client("dynamodb"), app[Output.EVENT_STORE_TABLE_NAME]),
        sqs=client("sqs"),
        intake_queue_url=app[Output.INTAKE_QUEUE_URL],
        rejected=Queue(client("sqs"), app[Output.REJECTED_QUEUE_URL]),
        review=Queue(client("sqs"), app[Output.HIGH_VALUE_REVIEW_QUEUE_URL]),
        workflow=WorkflowRuns(client("stepfunctions"), app[Output.STATE_MACHINE_ARN]),
        functions=client("lambda"),
        sweeper_function=app[Output.ORDER_SWEEPER_FUNCTION_NAME],
        bus=Bus(client("events"), app[Output.EVENT_BUS_NAME], app[Output.EVENT_BUS_ARN], app[Output.ARCHIVE_ARN]),
        cache=MomentoCache.of(config, client),
        cache_sync_buffer_url=app[Output.CACHE_SYNC_BUFFER_URL],
        requests=RequestLog(args.cache_requests) if args.cache_requests else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run(lambda: drive(args), args.env, args.debug)


def drive(args: argparse.Namespace) -> int:
    config = environment(args.env)
    trace = Trace(sys.stdout, args.timeout)
    started = time.monotonic()
    try:
        data = RunData.new(config.workflow.high_value_order_threshold_minor)
        Scenario(trace, observers(args, config), data).run(STEPS)
    except HopFailed as failure:
        trace.say(f"FAILED: {failure}")
        return 1
    skipped = f", {len(trace.skipped)} skipped" if trace.skipped else ""
    trace.say(f"passed: {trace.passed} checks{skipped} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
