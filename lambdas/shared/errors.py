"""Errors a handler raises on purpose. The state machine retries RetryableError (by its name) and nothing else."""

from __future__ import annotations

from typing import NoReturn

from botocore.exceptions import ClientError

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class RetryableError(Exception):
    """A dependency was briefly unavailable (throttled, 5xx): the same request may succeed if retried."""


def is_transient(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES


def reraise(error: ClientError) -> NoReturn:
    """Re-raise an AWS error, as RetryableError when retrying may help."""
    if is_transient(error):
        raise RetryableError(str(error)) from error
    raise error
