"""MiniStack, with what it leaves out of EventBridge's delivery to API destinations: the target's retry policy and its
dead-letter queue.

MiniStack 1.5.33 sends an API destination's request once, on a thread, and drops the event when the endpoint fails
("retry pipeline not modeled; dropped", in its log only). EventBridge retries a retryable failure (a connection
failure, HTTP 401, 407, 409, 429 or 5xx) under the target's `RetryPolicy`, then puts the event in the target's
`DeadLetterConfig` queue with the attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS; another 4xx goes there at once
(https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html, eb-rule-retry-policy.html). This module does
the same around MiniStack's own request building and sending, so an outage of the Momento stand-in ends in the cache
rules' DLQs, where `ops.dlq` redrives it, instead of vanishing.

What differs from AWS, on purpose: the waits. EventBridge backs off exponentially with jitter over up to 24 hours and
does not document the schedule in seconds; here the waits are 1, 2, 4 and then 8 seconds, so that the retry count a
target sets is used up in about a minute and a local outage reaches the DLQ while a test waits. The ERROR_CODE values
are this module's own (`CONNECTION_FAILED`, `HTTP_STATUS_<n>`): the guide lists none for API destinations.

Run with the emulator's interpreter (local_cloud/services.py): only the standard library and MiniStack are imported
at run time; the delivery decision itself (`deliver`) is plain Python, tested without MiniStack.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("local_cloud.emulator_with_retries")
RETRYABLE_STATUSES = frozenset({401, 407, 409, 429})
LOCAL_WAITS = (1.0, 2.0, 4.0, 8.0)  # then 8 s between every further attempt
DEFAULT_ATTEMPTS, DEFAULT_MAX_AGE = 185, 86_400  # EventBridge's defaults for a rule target
API_DESTINATION = ":api-destination/"  # in the ARN of an API destination target


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    retries: int
    error_code: str = ""
    error_message: str = ""
    exhausted: str = ""  # MaximumRetryAttempts or MaximumEventAgeInSeconds, when retries ran out


def retry_window(attempts: int) -> float:
    """How long a delivery that keeps failing is retried here before it is dead-lettered."""
    return sum(LOCAL_WAITS[min(retry, len(LOCAL_WAITS) - 1)] for retry in range(attempts))


def retry_policy(target: dict[str, Any]) -> tuple[int, float]:
    policy = target.get("RetryPolicy") or {}
    return (int(policy.get("MaximumRetryAttempts", DEFAULT_ATTEMPTS)),
            float(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)))  # fmt: skip


def deliver(
    send: Callable[[], int],
    attempts: int,
    max_age: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Outcome:
    """Sends until a 2xx, a failure that is not retried, or the retry policy runs out."""
    started, retries = clock(), 0
    while True:
        try:
            status = send()
            code, message = f"HTTP_STATUS_{status}", f"the endpoint answered HTTP {status}"
            if 200 <= status < 300:
                return Outcome(True, retries)
            retryable = status in RETRYABLE_STATUSES or status >= 500
        except OSError as error:  # refused, reset, timed out: the endpoint is not there
            code, message, retryable = "CONNECTION_FAILED", f"{type(error).__name__}: {error}", True
        if not retryable:
            return Outcome(False, retries, code, message)
        wait = LOCAL_WAITS[min(retries, len(LOCAL_WAITS) - 1)]
        if retries >= attempts:
            return Outcome(False, retries, code, message, "MaximumRetryAttempts")
        if clock() + wait - started > max_age:
            return Outcome(False, retries, code, message, "MaximumEventAgeInSeconds")
        sleep(wait)
        retries += 1


def dead_letter_attributes(rule_arn: str, target_arn: str, outcome: Outcome) -> dict[str, dict[str, str]]:
    values = {"RULE_ARN": rule_arn, "TARGET_ARN": target_arn, "ERROR_CODE": outcome.error_code,
              "ERROR_MESSAGE": outcome.error_message[:256], "RETRY_ATTEMPTS": str(outcome.retries)}  # fmt: skip
    if outcome.exhausted:
        values["EXHAUSTED_RETRY_CONDITION"] = outcome.exhausted
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}


@dataclass(frozen=True)
class _Dispatch:
    """What the rule's dispatch knows and the delivery thread needs: MiniStack's thread has only the request."""

    rule_arn: str
    target: dict[str, Any]
    event_json: str  # the event as the rule matched it: what EventBridge puts in a DLQ
    dead_letter_queue: dict[str, Any] | None  # MiniStack's record of the DLQ, found while the request's scope is set


def install() -> None:
    """Wraps MiniStack's EventBridge delivery to API destinations (see the module docstring)."""
    # MiniStack is installed in the emulator's venv only: imported where this runs, never by the tests.
    from ministack.core.concurrency import esm_wake  # type: ignore[import-not-found]  # noqa: PLC0415
    from ministack.services import eventbridge, sqs  # type: ignore[import-not-found]  # noqa: PLC0415

    current = threading.local()
    invoke_target = eventbridge._invoke_target
    build_request = eventbridge._build_api_destination_request

    def invoke_with_context(
        target: dict[str, Any], event: dict[str, Any], rule: dict[str, Any], view: Any = None
    ) -> Any:
        if API_DESTINATION not in str(target.get("Arn", "")):
            return invoke_target(target, event, rule, view)  # other targets: MiniStack's own path, nothing to carry
        view = view or eventbridge._pattern_event_view(event)
        dlq_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
        current.dispatch = _Dispatch(str(rule.get("Arn", "")), target, json.dumps(view.event_with_detail()),
                                     sqs._queue_by_arn(dlq_arn) if dlq_arn else None)  # fmt: skip
        try:
            return invoke_target(target, event, rule, view)
        finally:
            current.dispatch = None

    def build_with_context(*args: Any, **kwargs: Any) -> dict[str, Any]:
        request: dict[str, Any] = build_request(*args, **kwargs)
        request["_dispatch"] = getattr(current, "dispatch", None)
        return request

    def deliver_with_retries(name: str, request: dict[str, Any], conn: dict[str, Any], token_key: Any) -> None:
        dispatch: _Dispatch | None = request.get("_dispatch")

        def send() -> int:
            status: int = eventbridge._api_destination_send_sync(
                request, eventbridge._connection_auth_headers(conn, token_key)
            )
            return status

        attempts, max_age = retry_policy(dispatch.target if dispatch else {})
        outcome = deliver(send, attempts, max_age)
        if outcome.delivered:
            logger.info("API destination %s: delivered after %d retries", name, outcome.retries)
            return
        if dispatch is None or dispatch.dead_letter_queue is None:
            logger.warning("API destination %s: %s, and the target has no DLQ: dropped", name, outcome.error_message)
            return
        _enqueue(dispatch.dead_letter_queue, dispatch.event_json,
                 dead_letter_attributes(dispatch.rule_arn, str(dispatch.target.get("Arn", "")), outcome))  # fmt: skip
        esm_wake.set()
        logger.warning("API destination %s: %s after %d retries: in its DLQ", name, outcome.error_message,
                       outcome.retries)  # fmt: skip

    eventbridge._invoke_target = invoke_with_context
    eventbridge._build_api_destination_request = build_with_context
    eventbridge._deliver_to_api_destination = deliver_with_retries


def _enqueue(queue: dict[str, Any], body: str, attributes: dict[str, dict[str, str]]) -> None:
    """A message in MiniStack's in-memory queue, in the shape its SendMessage stores."""
    from ministack.services import sqs  # noqa: PLC0415 (the emulator's venv only)

    now = time.time()
    message = {"id": str(uuid.uuid4()), "body": body, "md5_body": hashlib.md5(body.encode()).hexdigest(),
               "receipt_handle": None, "sent_at": now, "visible_at": now, "receive_count": 0, "attributes": {},
               "message_attributes": attributes,
               "sys": {"SenderId": "AIDAEVENTBRIDGE", "SentTimestamp": str(int(now * 1000))}}  # fmt: skip
    queue["messages"].append(message)
    if hasattr(sqs, "_ensure_msg_fields"):
        sqs._ensure_msg_fields(message)


if __name__ == "__main__":
    install()
    from ministack.app import main  # type: ignore[import-not-found]

    main()
