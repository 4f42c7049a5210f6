"""What the functions logged during a test, as it would reach CloudWatch: every line they printed (Powertools writes
JSON lines to stdout) and every log record with its extra fields."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest

from lambdas.shared.observability import logger


@contextmanager
def logging_everything() -> Iterator[None]:
    """The functions' logger at DEBUG, the most it ever logs (dev's `lambdaLogLevel`)."""
    level = logger.log_level
    logger.setLevel("DEBUG")
    try:
        yield
    finally:
        logger.setLevel(level)


def found_in_logs(
    values: Iterable[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> list[str]:
    printed = capsys.readouterr()
    records = [json.dumps(record.__dict__, default=str, ensure_ascii=False) for record in caplog.records]
    logged = "\n".join([printed.out, printed.err, *records])
    return [value for value in values if value in logged or json.dumps(value)[1:-1] in logged]
