"""`python -m local_cloud.redrive_check`: a failure injected into the deployed local cloud, then redriven (and, first,
DynamoDB's 400 KB item limit, which the emulator must enforce as AWS does).

A bad deploy of the stream pipe's enrichment is simulated (its handler points at a module that does not exist), so
a change to the table (a customer renamed) fails in the pipe until its retries are exhausted and reaches the pipe's
DLQ as a pointer.
`python -m ops.dlq` then lists it, shows it and dry-runs its redrive, as an operator would, and nothing moves. The
handler is put back and the pointer redriven: its record is read back from the stream, enriched and put on the bus,
and the event store gets the event exactly once.

MiniStack 1.5.33's DescribePipe keeps only a pipe's source and target, so `ops.dlq redrive` refuses this DLQ there
(it will not publish records without the pipe's parameters; this check asserts that refusal). The redrive itself
then runs the same code (ops.dlq.redrive, ops.dlq.deliveries) with the pipe as its template describes it.
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from lambdas.shared.catalogue import customer_item
from lambdas.shared.entities import CUSTOMER
from lambdas.shared.table import item_key
from local_cloud.deployed import DeployedStacks
from local_cloud.pipes.definition import PipeDefinition, as_description, load_pipe, pipe_resources
from local_cloud.settings import ASSEMBLY_DIR, DEFAULT_PORT, LOCAL_ENV, PROJECT_ROOT, LocalCloud, stack_names
from ops.deployed_app import DeployedApp
from ops.dlq.catalog import DeadLetterQueueInfo, catalog, depth, find
from ops.dlq.deliveries import StreamRedelivery
from ops.dlq.redrive import redrive_messages
from ops.event_store.queries import EventStore
from ops.smoke.trace import HopFailed, Trace
from stacks.names import Output

BROKEN_HANDLER = "no_such_module.handler"
ITEM_LIMIT_BYTES = 400 * 1024  # DynamoDB's item size limit ("Service, account, and table quotas")


class RedriveCheck:
    def __init__(self, cloud: LocalCloud, trace: Trace) -> None:
        self.cloud = cloud
        self.trace = trace
        self.pipe = _stream_pipe(cloud)
        self.queue = find(catalog(cloud.client, LOCAL_ENV), "StreamPipe/DeadLetterQueue")
        app = DeployedApp.find(cloud.client, LOCAL_ENV)
        self.table = app[Output.TABLE_NAME]
        self.store = EventStore(cloud.client("dynamodb"), app[Output.EVENT_STORE_TABLE_NAME])
        self.customer_id = f"redrive-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(2)}"

    def run(self) -> None:
        waiting = depth(self.cloud.client("sqs"), self.queue).visible
        if waiting:
            raise HopFailed(f"{self.queue.label} already holds {waiting} messages: redrive or purge them first")
        enrichment = self.cloud.client("lambda")
        function = str(self.pipe.enrichment_arn)
        handler = enrichment.get_function_configuration(FunctionName=function)["Handler"]
        self._item_over_the_limit_refused()
        try:
            self._break(enrichment, function)
            self._dead_lettered()
            self._operator_commands()
        finally:
            enrichment.update_function_configuration(FunctionName=function, Handler=handler)
            self.trace.say(f"  enrichment handler put back: {handler}")
        self._redriven()

    def _item_over_the_limit_refused(self) -> None:
        """The pinned MiniStack refuses an item over 400 KB as DynamoDB does (PutItem and UpdateItem): this keeps it
        so, since a local run that took such an item would hide a write that fails on AWS."""
        dynamodb = self.cloud.client("dynamodb")
        item = customer_item(self.customer_id, "x" * ITEM_LIMIT_BYTES, f"{self.customer_id}@example.com")
        try:
            dynamodb.put_item(TableName=self.table, Item=item)
        except dynamodb.exceptions.ClientError as error:
            refused = error.response["Error"]
            as_aws = refused["Code"] == "ValidationException" and "size" in refused["Message"]
            self._check("an item over 400 KB -> DynamoDB refuses it", as_aws, str(refused))
            return
        dynamodb.delete_item(TableName=self.table, Key=item_key(CUSTOMER, self.customer_id))
        raise HopFailed("an item over 400 KB was written: the emulator no longer enforces DynamoDB's item limit")

    def _break(self, enrichment: Any, function: str) -> None:
        dynamodb = self.cloud.client("dynamodb")
        item = customer_item(self.customer_id, "Redrive Check", f"{self.customer_id}@example.com")
        dynamodb.put_item(TableName=self.table, Item=item)
        # The stream is read in order: once this change is stored, the pipe has passed everything written before it
        # (the smoke run's clean-up, say), so what fails next is this check's own change.
        self.trace.wait_for(
            "pipe drained: CustomerCreated stored",
            lambda: self._stored("CustomerCreated") or None,
            lambda events: f"{self.customer_id} {events[0].event_id}",
            "CustomerCreated",
        )
        enrichment.update_function_configuration(FunctionName=function, Handler=BROKEN_HANDLER)
        self.trace.say(f"  enrichment handler set to {BROKEN_HANDLER} (a bad deploy)")
        dynamodb.put_item(TableName=self.table, Item={**item, "name": {"S": "Redrive Check, renamed"}})
        self.trace.say(f"  renamed customer {self.customer_id}")

    def _dead_lettered(self) -> None:
        self.trace.wait_for(
            "failing enrichment -> pointer in the pipe's DLQ",
            lambda: depth(self.cloud.client("sqs"), self.queue).visible or None,
            lambda visible: f"{visible} message(s) in {self.queue.label}",
            "a stream batch pointer",
        )
        self._expect_not_stored("... and no CustomerUpdated reached the event store")
        # Anything else written meanwhile fails too and follows ours into the DLQ (each pointer after the runner's
        # four attempts): count once the DLQ has stopped growing.
        settled = self._settled_depth()
        self.trace.say(f"  {settled} pointer(s) in the DLQ once it stopped growing")

    def _operator_commands(self) -> None:
        label = self.queue.label
        listed = self._ops_dlq("list")
        self._check("ops.dlq list shows it", label in listed and "stream-pipe" in listed, listed)
        shown = self._ops_dlq("show", label)
        self._check("ops.dlq show decodes the pointer", '"streamBatch"' in shown and '"readableUntil"' in shown, shown)
        waiting = depth(self.cloud.client("sqs"), self.queue).visible
        dry = self._ops_dlq("redrive", label, "--dry-run")
        self._check("ops.dlq redrive --dry-run", f"would move {waiting}, skipped 0, failed 0" in dry, dry)
        self._check("... changes nothing", depth(self.cloud.client("sqs"), self.queue).visible == waiting, "")
        refused = self._ops_dlq("redrive", label, "--yes", expect_code=1)
        self._check("ops.dlq redrive refuses a partial DescribePipe", "nothing was changed" in refused, refused)

    def _redriven(self) -> None:
        sqs = self.cloud.client("sqs")
        delivery = StreamRedelivery(self.cloud.client, as_description(self.pipe))
        started = time.monotonic()
        outcome = redrive_messages(sqs, self.queue, delivery, dry_run=False, limit=10, progress=sys.stderr)
        for note in outcome.notes:
            self.trace.say(f"        {note}")
        if outcome.moved < 1 or outcome.failed or outcome.skipped:
            raise HopFailed(f"redrive: {outcome.line(dry_run=False)}")
        self.trace.ok("pointer redriven through the enrichment", outcome.line(False), time.monotonic() - started)
        stored = self.trace.wait_for(
            "... CustomerUpdated reaches the event store",
            lambda: self._stored("CustomerUpdated") or None,
            lambda events: f"{len(events)} CustomerUpdated {events[0].event_id}",
            "CustomerUpdated",
        )
        self._check("... once, and the DLQ is empty", len(stored) == 1 and _empty(sqs, self.queue), str(stored))
        self.cloud.client("dynamodb").delete_item(TableName=self.table, Key=item_key(CUSTOMER, self.customer_id))

    def _settled_depth(self, quiet_seconds: float = 4.0) -> int:
        sqs, deadline = self.cloud.client("sqs"), time.monotonic() + self.trace.timeout_seconds
        last, since = depth(sqs, self.queue).visible, time.monotonic()
        while time.monotonic() - since < quiet_seconds:
            if time.monotonic() > deadline:
                raise HopFailed(f"{self.queue.label} kept growing for {self.trace.timeout_seconds:.0f} s")
            time.sleep(0.5)
            now = depth(sqs, self.queue).visible
            if now != last:
                last, since = now, time.monotonic()
        return last

    def _stored(self, detail_type: str) -> list[Any]:
        return [e for e in self.store.aggregate("Customer", self.customer_id) if e.detail_type == detail_type]

    def _expect_not_stored(self, hop: str) -> None:
        self.trace.holds_for(hop, lambda: "it was stored" if self._stored("CustomerUpdated") else None, 2.0,
                             "nothing stored")  # fmt: skip

    def _ops_dlq(self, *arguments: str, expect_code: int = 0) -> str:
        command = [sys.executable, "-m", "ops.dlq", "--env", LOCAL_ENV, *arguments]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=self.cloud.client_environment(), capture_output=True,
                                text=True, timeout=120, check=False)  # fmt: skip
        shown = (result.stdout + result.stderr).rstrip()
        self.trace.say(f"  $ python -m ops.dlq --env {LOCAL_ENV} {' '.join(arguments)}")
        for line in shown.splitlines():
            self.trace.say(f"    {line}")
        if result.returncode != expect_code:
            raise HopFailed(f"ops.dlq {arguments[0]} exited {result.returncode}, expected {expect_code}")
        return shown

    def _check(self, hop: str, holds: bool, seen: str) -> None:
        if not holds:
            raise HopFailed(f"{hop}: not so; saw: {seen[-400:]}")
        self.trace.ok(hop, "as expected", 0.0)


def _stream_pipe(cloud: LocalCloud) -> PipeDefinition:
    deployed = DeployedStacks(cloud.client)
    pipes = [load_pipe(deployed, *found) for found in pipe_resources(ASSEMBLY_DIR, stack_names())]
    [stream_pipe] = [pipe for pipe in pipes if pipe.is_stream]
    return stream_pipe


def _empty(sqs: Any, queue: DeadLetterQueueInfo) -> bool:
    found = depth(sqs, queue)
    return found.visible + found.in_flight == 0


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m local_cloud.redrive_check", description=__doc__)
    cli.add_argument("--port", type=int, default=DEFAULT_PORT, help="the emulator's port on 127.0.0.1 (LOCAL_PORT)")
    cli.add_argument("--timeout", type=float, default=60, help="seconds each hop may take (default 60)")
    args = cli.parse_args(argv)
    trace = Trace(sys.stdout, args.timeout)
    started = time.monotonic()
    trace.say("redrive check: a failure injected into the stream pipe, then redriven")
    try:
        RedriveCheck(LocalCloud(args.port), trace).run()
    except HopFailed as failure:
        trace.say(f"FAILED: {failure}")
        return 1
    trace.say(f"passed: {trace.passed} checks in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
