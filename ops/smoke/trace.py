"""A trace a person can follow: each hop, what was observed, how long it took; the first failure ends the run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO, TypeVar

T = TypeVar("T")


class HopFailed(Exception):
    """The scenario cannot go on: the message names the hop and what was (not) observed."""


class Trace:
    def __init__(self, out: TextIO, timeout_seconds: float, poll_seconds: float = 0.5) -> None:
        self._out = out
        self.timeout_seconds = timeout_seconds
        self._poll_seconds = poll_seconds
        self.passed = 0
        self.skipped: list[str] = []

    def say(self, text: str) -> None:
        print(text, file=self._out, flush=True)

    def ok(self, hop: str, observed: str, seconds: float) -> None:
        self.passed += 1
        self.say(f"  ok    {hop:<48} {observed}  ({seconds:.1f} s)")

    def skip(self, hop: str, why: str) -> None:
        self.skipped.append(hop)
        self.say(f"  skip  {hop:<48} {why}")

    def wait_for(
        self,
        hop: str,
        probe: Callable[[], T | None],
        describe: Callable[[T], str],
        expected: str,
        last_seen: Callable[[], str] | None = None,
    ) -> T:
        """Poll `probe` until it returns something; trace it, or fail naming the hop and what was last seen."""
        started = time.monotonic()
        while True:
            found = probe()
            if found is not None:
                self.ok(hop, describe(found), time.monotonic() - started)
                return found
            if time.monotonic() - started > self.timeout_seconds:
                seen = f"; last seen: {last_seen()}" if last_seen else ""
                raise HopFailed(f"{hop}: {expected} not observed within {self.timeout_seconds:.0f} s{seen}")
            time.sleep(self._poll_seconds)

    def holds_for(self, hop: str, check: Callable[[], str | None], seconds: float, observed: str) -> None:
        """`check` returns a problem or None; it must stay None for `seconds` (nothing happens that must not)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            problem = check()
            if problem:
                raise HopFailed(f"{hop}: {problem}")
            time.sleep(self._poll_seconds)
        self.ok(hop, observed, time.monotonic() - started)
