"""The Lambda context a handler gets, for calling handlers in-process (tests and benchmarks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test-function"
    aws_request_id: str = "7e1f5a2c-0000-4000-8000-000000000001"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
