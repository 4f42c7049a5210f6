"""`python -m local_cloud.chaos <scenario> [--orders N] [--rate R]`: a fault injected into the running local cloud
while a load runs (`ops.load`), the recovery the runbook gives once every order has settled, and then the load's
account, which decides the exit status: nothing lost, duplicated, stuck or left in a dead-letter queue.

Scenarios:
- runner-crash: the pipes runner (both pipes) is killed without warning a third of the way through the sends and
  started again 10 s later, as a crashed poller would be. It resumes each stream shard from its checkpoint
  (local_cloud/pipes/checkpoints.py) and each queue from the messages SQS makes visible again. Recovery: none.
- cache-outage: the Momento stand-in stops for 60 s a third of the way through. The topic's deliveries are retried
  under their retry policy and, once it is used up, land in their DLQ (local_cloud/emulator_with_retries.py); the
  cache sync's batches fail and come back after the sync buffer's visibility timeout (120 s). The stand-in keeps its
  values in memory, so its restart is also a flushed cache. Recovery (docs/runbook.md, the cache DLQ alarms and the
  sync buffer's): `ops.dlq redrive` of each cache DLQ that holds messages, the sync buffer watched until it is empty,
  and the cache rebuilt with `ops.backfill` to the cache sync (each order cached as the table holds it now).
- broken-writer: the event store's writer is deployed broken for 60 s a third of the way through (its table name
  points at a table that does not exist, as a bad configuration would): every batch it takes fails, and each event
  goes back to the buffer until its fifth receive moves it to the buffer's DLQ. Time is compressed: while the writer is
  broken the buffer's visibility timeout is 2 s instead of 180 s, so the five receives take seconds, not the 15
  minutes AWS would take (and for 15 s after the writer is restored, so that a batch a stale worker still failed
  comes back at once). Recovery (docs/runbook.md, the buffer DLQ alarm): the writer is restored, then `ops.dlq
  redrive` of the buffer's DLQ, and the buffer is watched until it is empty; the store keeps each event once (a
  conditional put), however often it arrives.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from local_cloud.emulator_with_retries import retry_window
from local_cloud.processes import crash, start, stop
from local_cloud.services import momento_standin, pipes_runner
from local_cloud.settings import DEFAULT_PORT, LOCAL_DIR, LOCAL_ENV, LocalCloud, LocalCloudError
from ops.backfill.cli import main as backfill_main
from ops.dlq.catalog import catalog, depth
from ops.dlq.cli import main as dlq_main
from ops.load.account import Account
from ops.load.cli import parser as load_parser
from ops.load.cli import prepare
from ops.load.report import as_text
from ops.load.run import load

Say = Callable[[str], None]
RUNNER_DOWN_SECONDS = 10.0
CACHE_DOWN_SECONDS = 60.0
CACHE_DEAD_LETTERS = "CacheIntegration/"  # the labels of the cache rules' DLQs start so
CACHE_SYNC_DEAD_LETTERS = "CacheIntegration/SyncBufferDeadLetterQueue"
CACHE_SYNC_RULE = "CacheIntegration/OrderCacheSyncRule"
STORE_BUFFER_DEAD_LETTERS = "EventStore/BufferDeadLetterQueue"
WRITER_DOWN_SECONDS = 60.0
BROKEN_WRITER_VISIBILITY_SECONDS = 2  # the buffer's, while the writer is broken (see the module docstring)
SETTLE_AFTER_RESTORE_SECONDS = 15.0
BROKEN_TABLE_SUFFIX = "-missing"  # what the broken writer's table name gets: no such table exists
QUIET_SECONDS = 10.0  # a DLQ whose depth has not changed for this long has received what the outage caused
DEAD_LETTER_WAIT_SECONDS = 180.0
RULE_TARGET_RETRIES = 8  # stacks/building_blocks/bus_rules.py TARGET_RETRY_ATTEMPTS (a test keeps them equal)


@dataclass(frozen=True)
class Scenario:
    fault: Callable[[LocalCloud, Say, float], None]  # injected while the load sends, `after` seconds in
    recover: Callable[[LocalCloud, Say], None] | None = None  # once every order has settled


def runner_crash(cloud: LocalCloud, say: Say, after: float) -> None:
    time.sleep(after)
    say(f"chaos: {crash(pipes_runner(cloud))}")
    time.sleep(RUNNER_DOWN_SECONDS)
    say(f"chaos: {start(pipes_runner(cloud))}")


def cache_outage(cloud: LocalCloud, say: Say, after: float) -> None:
    time.sleep(after)
    say(f"chaos: {stop(momento_standin(cloud))}")
    time.sleep(CACHE_DOWN_SECONDS)
    say(f"chaos: {start(momento_standin(cloud))}")


def redrive_cache_dead_letters(cloud: LocalCloud, say: Say) -> None:
    """Waits out the last retries of the deliveries that failed just before the stand-in came back, then redrives
    each cache DLQ that holds messages, as the runbook says."""
    say(f"chaos: waiting {retry_window(RULE_TARGET_RETRIES):.0f} s for the failed deliveries' last retries")
    time.sleep(retry_window(RULE_TARGET_RETRIES))
    redrive_when_quiet(cloud, say, CACHE_DEAD_LETTERS)
    wait_drained(cloud, say, CACHE_SYNC_DEAD_LETTERS)
    state = LOCAL_DIR / "backfill-chaos-cache.json"
    state.unlink(missing_ok=True)  # a rebuild from the start, not the rest of an earlier run's
    backfill = ["--env", LOCAL_ENV, "--to", CACHE_SYNC_RULE, "--entity", "Order", "--rate", "50", "--yes"]
    say(f"chaos: the stand-in lost what it held: python -m ops.backfill {' '.join(backfill)}")
    if backfill_main([*backfill, "--state", str(state)]) != 0:
        raise LocalCloudError("the cache's backfill failed")
    wait_drained(cloud, say, CACHE_SYNC_DEAD_LETTERS)


@dataclass(frozen=True)
class _StoreWriter:
    function_name: str
    environment: dict[str, str]
    buffer_url: str
    visibility_timeout: str


def _store_writer(cloud: LocalCloud) -> _StoreWriter:
    """The function that drains the event store's buffer, found as the buffer's event source mapping names it (the
    buffer is the source of the buffer DLQ in the stack's catalog)."""
    buffer_arn, buffer_url = _work_queue(cloud, STORE_BUFFER_DEAD_LETTERS)
    lambda_client, sqs = cloud.client("lambda"), cloud.client("sqs")
    mappings = lambda_client.list_event_source_mappings(EventSourceArn=buffer_arn)["EventSourceMappings"]
    if len(mappings) != 1:
        raise LocalCloudError(f"expected one function draining {buffer_arn}, found {len(mappings)}")
    name = mappings[0]["FunctionArn"].rsplit(":", 1)[-1]
    environment = lambda_client.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    timeout = sqs.get_queue_attributes(QueueUrl=buffer_url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    return _StoreWriter(name, environment, buffer_url, timeout["VisibilityTimeout"])


def broken_writer(cloud: LocalCloud, say: Say, after: float) -> None:
    time.sleep(after)
    writer = _store_writer(cloud)
    broken = writer.environment | {
        "EVENT_STORE_TABLE_NAME": writer.environment["EVENT_STORE_TABLE_NAME"] + BROKEN_TABLE_SUFFIX
    }
    _set_buffer_visibility(cloud, writer, str(BROKEN_WRITER_VISIBILITY_SECONDS))
    _set_writer_environment(cloud, writer, broken)
    say(f"chaos: {writer.function_name} broken (its table does not exist) for {WRITER_DOWN_SECONDS:.0f} s")
    time.sleep(WRITER_DOWN_SECONDS)
    _set_writer_environment(cloud, writer, writer.environment)
    say(f"chaos: {writer.function_name} restored")
    # A batch the broken configuration still took (the emulator replaces a function's workers a moment after the
    # update) comes back within seconds, not after the 180 s the buffer's visibility timeout is again afterwards.
    time.sleep(SETTLE_AFTER_RESTORE_SECONDS)
    _set_buffer_visibility(cloud, writer, writer.visibility_timeout)


def _set_writer_environment(cloud: LocalCloud, writer: _StoreWriter, environment: dict[str, str]) -> None:
    cloud.client("lambda").update_function_configuration(
        FunctionName=writer.function_name, Environment={"Variables": environment}
    )


def _set_buffer_visibility(cloud: LocalCloud, writer: _StoreWriter, seconds: str) -> None:
    cloud.client("sqs").set_queue_attributes(QueueUrl=writer.buffer_url, Attributes={"VisibilityTimeout": seconds})


def redrive_store_dead_letters(cloud: LocalCloud, say: Say) -> None:
    """The runbook's recovery: redrive the buffer's DLQ, then watch the buffer drain (its age alarm clears)."""
    redrive_when_quiet(cloud, say, STORE_BUFFER_DEAD_LETTERS)
    wait_drained(cloud, say, STORE_BUFFER_DEAD_LETTERS)


def _work_queue(cloud: LocalCloud, dead_letter_label: str) -> tuple[str, str]:
    """(ARN, URL) of the queue a DLQ of the catalog belongs to (the DLQ's source)."""
    [dead_letters] = [q for q in catalog(cloud.client, LOCAL_ENV) if q.label == dead_letter_label]
    url = cloud.client("sqs").get_queue_url(QueueName=dead_letters.source.rsplit(":", 1)[-1])["QueueUrl"]
    return dead_letters.source, str(url)


def wait_drained(cloud: LocalCloud, say: Say, dead_letter_label: str) -> None:
    """Waits until the work queue whose DLQ is `dead_letter_label` holds nothing, visible or in flight."""
    _, buffer_url = _work_queue(cloud, dead_letter_label)
    sqs, deadline = cloud.client("sqs"), time.monotonic() + DEAD_LETTER_WAIT_SECONDS
    while time.monotonic() < deadline:
        counts = sqs.get_queue_attributes(QueueUrl=buffer_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]  # fmt: skip
        if sum(int(value) for value in counts.values()) == 0:
            say(f"chaos: the queue {dead_letter_label} redrives to is empty")
            return
        time.sleep(3)
    say(f"chaos: the queue {dead_letter_label} redrives to still holds messages after {DEAD_LETTER_WAIT_SECONDS:.0f} s")


def redrive_when_quiet(cloud: LocalCloud, say: Say, label_prefix: str) -> None:
    """Waits until the DLQs whose labels start with `label_prefix` stop filling, then redrives each one that holds
    messages with `ops.dlq`, as the runbook says."""
    sqs = cloud.client("sqs")
    queues = [q for q in catalog(cloud.client, LOCAL_ENV) if q.label.startswith(label_prefix)]
    deadline, last, quiet_since = time.monotonic() + DEAD_LETTER_WAIT_SECONDS, None, time.monotonic()
    while time.monotonic() < deadline:
        depths = {q.label: depth(sqs, q).visible for q in queues}
        if depths != last:
            last, quiet_since = depths, time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            break
        time.sleep(3)
    say(f"chaos: DLQs after the fault: {last}")
    for label, messages in (last or {}).items():
        if messages:
            say(f"chaos: python -m ops.dlq --env local redrive {label} --yes")
            if dlq_main(["--env", LOCAL_ENV, "redrive", label, "--yes"]) != 0:
                raise LocalCloudError(f"the redrive of {label} failed")


SCENARIOS = {
    "runner-crash": Scenario(runner_crash),
    "cache-outage": Scenario(cache_outage, redrive_cache_dead_letters),
    "broken-writer": Scenario(broken_writer, redrive_store_dead_letters),
}


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.chaos", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("scenario", choices=sorted(SCENARIOS))
    cli.add_argument("--orders", type=int, default=200)
    cli.add_argument("--rate", type=float, default=4.0)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = cli.parse_args(argv)
    cloud = LocalCloud(args.port)
    cloud.use_in_this_process()  # the load and the redrive talk to the emulator only
    scenario = SCENARIOS[args.scenario]
    try:
        result = _run(cloud, scenario, args.orders, args.rate)
    except LocalCloudError as error:
        print(f"chaos {args.scenario} failed: {error}", file=sys.stderr)
        return 1
    print(as_text(result), flush=True)
    (LOCAL_DIR / f"chaos-{args.scenario}.json").write_text(json.dumps(result.as_json(), indent=2) + "\n")
    print(f"chaos {args.scenario}: " + ("passed" if result.ok else "FAILED"), flush=True)
    return 0 if result.ok else 1


def _say(line: str) -> None:
    print(line, flush=True)


def _run(cloud: LocalCloud, scenario: Scenario, orders: int, rate: float) -> Account:
    world, queue_url, plan = prepare(load_parser().parse_args(["--env", LOCAL_ENV, "--orders", str(orders)]))
    faults = threading.Thread(target=scenario.fault, args=(cloud, _say, orders / rate / 3), name="fault")
    faults.start()
    recover = scenario.recover

    def recovery() -> None:
        faults.join()  # the runbook recovers once the fault is over
        if recover is not None:
            recover(cloud, _say)

    try:
        return load(world, queue_url, plan, rate=rate, timeout=600, keep=False, say=_say, recover=recovery)
    finally:
        faults.join()


if __name__ == "__main__":
    sys.exit(main())
