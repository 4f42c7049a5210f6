"""An environment's dead-letter queues, as its stacks list them in their `DeadLetterQueues` outputs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ops.aws import OperatorError
from stacks.names import DEAD_LETTER_QUEUES_OUTPUT, Component, dead_letter_queue_label, stack_name

ClientFactory = Callable[[str], Any]


@dataclass(frozen=True)
class DeadLetterQueueInfo:
    stack: str
    name: str
    kind: str  # stacks.building_blocks.dead_letter_queue.DeadLetterKind
    url: str
    arn: str
    source: str  # the rule, work queue, bus or pipe that feeds it

    @property
    def label(self) -> str:
        return dead_letter_queue_label(self.stack, self.name)


@dataclass(frozen=True)
class Depth:
    visible: int
    in_flight: int
    oldest_seen_seconds: float | None  # age of the oldest of the messages a peek saw (not necessarily the oldest)


def catalog(client: ClientFactory, env_name: str) -> list[DeadLetterQueueInfo]:
    cloudformation = client("cloudformation")
    found: list[DeadLetterQueueInfo] = []
    for component in Component:
        name = stack_name(env_name, component)
        try:
            [stack] = cloudformation.describe_stacks(StackName=name)["Stacks"]
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):
                continue
            raise
        for output in stack.get("Outputs", []):
            if output["OutputKey"] == DEAD_LETTER_QUEUES_OUTPUT:
                found.extend(DeadLetterQueueInfo(stack=name, **entry) for entry in json.loads(output["OutputValue"]))
    if not found:
        raise OperatorError(f"no stack of environment '{env_name}' lists dead-letter queues: is it deployed?")
    return found


def find(queues: list[DeadLetterQueueInfo], wanted: str) -> DeadLetterQueueInfo:
    """By label (`Workflows/OrderCreatedDeadLetterQueue`), name, or any part of either that names one queue."""
    exact = [q for q in queues if wanted in (q.label, q.name)]
    matches = exact or [q for q in queues if wanted.lower() in q.label.lower()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(q.label for q in queues)
    if not matches:
        raise OperatorError(f"no dead-letter queue matches {wanted!r}; they are: {known}")
    raise OperatorError(f"{wanted!r} matches {len(matches)} queues: {', '.join(q.label for q in matches)}")


def depth(sqs: Any, queue: DeadLetterQueueInfo) -> Depth:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    peeked = peek(sqs, queue, 10)
    sent = [int(m["Attributes"]["SentTimestamp"]) for m in peeked if "SentTimestamp" in m.get("Attributes", {})]
    return Depth(
        visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        oldest_seen_seconds=(time.time() - min(sent) / 1000) if sent else None,
    )


PEEK_SECONDS = 30  # how long `show` hides a message it has read while it reads the next ones


def peek(sqs: Any, queue: DeadLetterQueueInfo, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` messages, left in the queue. Each receive hides what it returned for PEEK_SECONDS, so that the
    next one returns others (a zero visibility timeout returns the same few again and again); all are made visible
    again at the end."""
    seen: dict[str, dict[str, Any]] = {}
    try:
        while len(seen) < limit:
            response = sqs.receive_message(
                QueueUrl=queue.url, MaxNumberOfMessages=min(10, limit - len(seen)), VisibilityTimeout=PEEK_SECONDS,
                AttributeNames=["All"], MessageAttributeNames=["All"],
            )  # fmt: skip
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                seen.setdefault(message["MessageId"], message)
    finally:
        handles = [m["ReceiptHandle"] for m in seen.values()]
        for start in range(0, len(handles), 10):
            sqs.change_message_visibility_batch(QueueUrl=queue.url, Entries=[
                {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                for i, h in enumerate(handles[start : start + 10])])  # fmt: skip
    return list(seen.values())[:limit]
