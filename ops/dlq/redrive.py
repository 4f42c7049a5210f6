"""Putting dead letters back where they belong, one kind at a time, losing nothing.

- A work queue's DLQ (`queue`) moves back to that queue: an SQS message move task, or, where the service has none
  (moto, some emulators), each message copied to the queue and only then deleted.
- A rule target's DLQ (`rule-target`, and the bus's own DLQ) goes back to the one target that missed the event,
  through the target's own input (deliveries.py): re-putting the event on the bus would repeat it for every
  consumer that already handled it.
- A stream pipe's DLQ holds pointers: the records are read back from the stream and published through the pipe's
  own filter, enrichment and target parameters (deliveries.py).
- Intake's rejected queue is never redriven: its messages need the producer to fix them.

A message leaves a DLQ only after its copy was delivered; `dry_run` receives with a zero visibility timeout and
delivers nothing (the receive count of what it read goes up: DLQs here have no redrive policy of their own).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ops.aws import OperatorError
from ops.dlq.catalog import DeadLetterQueueInfo, depth
from ops.dlq.messages import DeadLetter, decoded

WORK_SECONDS = 120  # how long a message stays hidden while it is being redriven
MOVE_TASK_POLL_SECONDS = 2.0
UNSUPPORTED = ("UnsupportedOperation", "InvalidAction", "NotImplemented", "UnknownOperationException")

Delivery = Callable[[DeadLetter], str]  # delivers one message (or raises); returns what it did, for the report


@dataclass
class Outcome:
    moved: int = 0
    skipped: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self, dry_run: bool) -> str:
        verb = "would move" if dry_run else "moved"
        return f"{verb} {self.moved}, skipped {self.skipped}, failed {self.failed}"


def redrive_messages(
    sqs: Any, queue: DeadLetterQueueInfo, deliver: Delivery, *, dry_run: bool, limit: int, progress: TextIO
) -> Outcome:
    outcome = Outcome()
    seen: set[str] = set()
    while outcome.moved + outcome.failed + outcome.skipped < limit:
        batch = _receive(sqs, queue, dry_run, min(10, limit - outcome.moved - outcome.failed - outcome.skipped))
        fresh = [letter for letter in batch if letter.message_id not in seen]
        for letter in batch:
            if letter.message_id in seen and not dry_run:  # kept earlier in this run: not hidden for WORK_SECONDS
                _visible_again(sqs, queue, letter)
        if not fresh:
            break
        for letter in fresh:
            seen.add(letter.message_id)
            _one(sqs, queue, deliver, letter, outcome, dry_run=dry_run)
        print(f"  ... {len(seen)} read: {outcome.line(dry_run)}", file=progress, flush=True)
    return outcome


def _receive(sqs: Any, queue: DeadLetterQueueInfo, dry_run: bool, count: int) -> list[DeadLetter]:
    response = sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=count, VisibilityTimeout=0 if dry_run else WORK_SECONDS,
        AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=1,
    )  # fmt: skip
    return [decoded(message) for message in response.get("Messages", [])]


def _one(
    sqs: Any, queue: DeadLetterQueueInfo, deliver: Delivery, letter: DeadLetter, outcome: Outcome, *, dry_run: bool
) -> None:
    if dry_run:
        outcome.moved += 1
        outcome.notes.append(f"{letter.message_id}: would be redriven")
        return
    try:
        what = deliver(letter)
    except SkipMessage as skip:
        outcome.skipped += 1
        outcome.notes.append(f"{letter.message_id}: skipped, {skip}")
        _visible_again(sqs, queue, letter)
        return
    except Exception as error:  # the message stays in the DLQ, visible again at once
        outcome.failed += 1
        outcome.notes.append(f"{letter.message_id}: not redriven, kept in the DLQ: {str(error) or repr(error)}")
        _visible_again(sqs, queue, letter)
        return
    sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=letter.receipt_handle)
    outcome.moved += 1
    outcome.notes.append(f"{letter.message_id}: {what}")


def _visible_again(sqs: Any, queue: DeadLetterQueueInfo, letter: DeadLetter) -> None:
    sqs.change_message_visibility(QueueUrl=queue.url, ReceiptHandle=letter.receipt_handle, VisibilityTimeout=0)


class SkipMessage(Exception):
    """This message is not redriven and stays in the DLQ; the message says why."""


def dry_run(sqs: Any, queue: DeadLetterQueueInfo, *, limit: int, progress: TextIO) -> Outcome:
    """What a redrive would take: each message read (and left visible), none delivered, so nothing about where they
    would go is needed."""
    return redrive_messages(sqs, queue, lambda letter: "", dry_run=True, limit=limit, progress=progress)


def move_back_to_source(sqs: Any, queue: DeadLetterQueueInfo, *, limit: int, progress: TextIO) -> Outcome:
    """A work queue's DLQ back to the queue: by an SQS move task where the service has one and the queue holds no
    more than `limit` (a move task moves everything), else one copy at a time, each deleted once sent."""
    copy = functools.partial(redrive_messages, sqs, queue, _copy_to(sqs, queue.source), dry_run=False, limit=limit,
                             progress=progress)  # fmt: skip
    if depth(sqs, queue).visible > limit:
        return copy()
    try:
        task = sqs.start_message_move_task(SourceArn=queue.arn, DestinationArn=queue.source)
    except (sqs.exceptions.ClientError, NotImplementedError) as error:  # moto raises NotImplementedError
        if isinstance(error, sqs.exceptions.ClientError) and error.response["Error"].get("Code") not in UNSUPPORTED:
            raise
        return copy()
    return _follow_move_task(sqs, queue, str(task["TaskHandle"]), progress)


def _copy_to(sqs: Any, queue_arn: str) -> Delivery:
    _, _, _, _, account, name = queue_arn.split(":")
    url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def copy(letter: DeadLetter) -> str:
        sqs.send_message(QueueUrl=url, MessageBody=letter.body)
        return f"copied back to {name}"

    return copy


def _follow_move_task(sqs: Any, queue: DeadLetterQueueInfo, handle: str, progress: TextIO) -> Outcome:
    while True:
        [task] = [
            t for t in sqs.list_message_move_tasks(SourceArn=queue.arn)["Results"] if t.get("TaskHandle") == handle
        ]
        moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
        print(f"  ... move task {task['Status']}: {moved} of {task.get('ApproximateNumberOfMessagesToMove', '?')}",
              file=progress, flush=True)  # fmt: skip
        if task["Status"] in ("COMPLETED", "CANCELLED", "FAILED"):
            failed = (
                0
                if task["Status"] == "COMPLETED"
                else max(int(task.get("ApproximateNumberOfMessagesToMove", 0)) - moved, 0)
            )
            note = task.get("FailureReason", f"move task {task['Status']}")
            return Outcome(moved=moved, failed=failed, notes=[note])
        time.sleep(MOVE_TASK_POLL_SECONDS)


def refuse_rejected(queue: DeadLetterQueueInfo) -> Outcome:
    raise OperatorError(
        f"{queue.label} holds rejected order messages, each with its reason: they need the producer to fix and "
        f"resend them, so they are never redriven (`show` lists them)"
    )
