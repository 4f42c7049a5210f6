"""The local cloud's EventBridge delivery to API destinations: retried under the target's policy, then dead-lettered
with EventBridge's attributes, where MiniStack alone dropped the event (its log the only trace)."""

from __future__ import annotations

from collections.abc import Callable

from local_cloud.chaos import RULE_TARGET_RETRIES
from local_cloud.emulator_with_retries import Outcome, dead_letter_attributes, deliver, retry_policy, retry_window
from local_cloud.services import all_services, emulator
from local_cloud.settings import LocalCloud
from stacks.building_blocks.bus_rules import TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS


class Endpoint:
    """Answers with the given statuses in turn, an OSError standing for a refused connection; counts the calls."""

    def __init__(self, *answers: int | OSError) -> None:
        self.answers, self.calls, self.waited = list(answers), 0, 0.0

    def send(self) -> int:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if isinstance(answer, OSError):
            raise answer
        return answer

    def sleep(self, seconds: float) -> None:
        self.waited += seconds

    def clock(self) -> Callable[[], float]:
        return lambda: self.waited


def run(endpoint: Endpoint, attempts: int = TARGET_RETRY_ATTEMPTS, max_age: float = 21_600) -> Outcome:
    return deliver(endpoint.send, attempts, max_age, sleep=endpoint.sleep, clock=endpoint.clock())


def test_an_endpoint_back_after_an_outage_gets_the_event_on_a_retry() -> None:
    endpoint = Endpoint(ConnectionRefusedError(111, "Connection refused"), 503, 200)
    assert run(endpoint) == Outcome(True, 2)
    assert endpoint.calls == 3


def test_an_outage_longer_than_the_retries_ends_in_the_dlq_with_the_condition() -> None:
    endpoint = Endpoint(ConnectionRefusedError(111, "Connection refused"))
    outcome = run(endpoint)
    assert (outcome.delivered, outcome.retries, outcome.exhausted) == (
        False,
        TARGET_RETRY_ATTEMPTS,
        "MaximumRetryAttempts",
    )
    assert outcome.error_code == "CONNECTION_FAILED"
    assert endpoint.calls == TARGET_RETRY_ATTEMPTS + 1
    assert endpoint.waited == 1 + 2 + 4 + 8 * (TARGET_RETRY_ATTEMPTS - 3)  # about a minute, locally


def test_the_event_age_limit_stops_retries_first_when_it_is_shorter() -> None:
    outcome = run(Endpoint(500), attempts=185, max_age=60)
    assert (outcome.exhausted, outcome.error_code) == ("MaximumEventAgeInSeconds", "HTTP_STATUS_500")


def test_a_client_error_is_not_retried() -> None:
    endpoint = Endpoint(400, 200)
    assert run(endpoint) == Outcome(False, 0, "HTTP_STATUS_400", "the endpoint answered HTTP 400")
    assert endpoint.calls == 1


def test_throttling_and_authorization_failures_are_retried() -> None:
    for status in (401, 407, 409, 429):
        assert run(Endpoint(status, 204)).delivered


def test_the_dead_letter_carries_eventbridges_attributes_which_ops_dlq_reads() -> None:
    outcome = Outcome(False, 8, "CONNECTION_FAILED", "ConnectionRefusedError: refused", "MaximumRetryAttempts")
    attributes = dead_letter_attributes("arn:rule", "arn:destination", outcome)
    assert {name: value["StringValue"] for name, value in attributes.items()} == {
        "RULE_ARN": "arn:rule", "TARGET_ARN": "arn:destination", "ERROR_CODE": "CONNECTION_FAILED",
        "ERROR_MESSAGE": "ConnectionRefusedError: refused", "RETRY_ATTEMPTS": "8",
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
    }  # fmt: skip


def test_the_policy_is_the_targets_as_the_rules_set_it_else_eventbridges_defaults() -> None:
    policy = {"MaximumRetryAttempts": TARGET_RETRY_ATTEMPTS,
              "MaximumEventAgeInSeconds": int(TARGET_MAX_EVENT_AGE.to_seconds())}  # fmt: skip
    assert retry_policy({"RetryPolicy": policy}) == (TARGET_RETRY_ATTEMPTS, 21_600)
    assert retry_policy({}) == (185, 86_400)


def test_the_local_cloud_runs_the_emulator_with_this_delivery() -> None:
    assert emulator(LocalCloud(4566)).command[-1].endswith("local_cloud/emulator_with_retries.py")


def test_the_chaos_scenarios_wait_as_long_as_a_rule_target_is_retried() -> None:
    assert RULE_TARGET_RETRIES == TARGET_RETRY_ATTEMPTS
    assert retry_window(TARGET_RETRY_ATTEMPTS) == 1 + 2 + 4 + 8 * 5


def test_every_services_marker_is_in_the_command_it_starts() -> None:
    """`local-down` stops a service only if its process's command line has the marker: a marker the command lacks
    left the emulator running, orphaned, with its PID file removed as stale."""
    for service in all_services(LocalCloud(4566)):
        assert service.marker in service.command, service.name  # one argument as it is, which _is_service compares
