"""What the benchmarks share: import time in a fresh interpreter, measured against `import boto3` in the same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys


def import_seconds(statement: str) -> float:
    """One fresh interpreter, timing only the import (bytecode already compiled, as in a deployed package)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(output.stdout.strip().splitlines()[-1])


def import_ratios(modules: list[str], rounds: int) -> tuple[dict[str, float], float]:
    """Each module's median import time / the median of `import boto3`, rounds interleaved so that machine noise
    hits all alike; also the boto3 median (seconds)."""
    times: dict[str, list[float]] = {module: [] for module in [*modules, "boto3"]}
    for _ in range(rounds):
        for module, samples in times.items():
            samples.append(import_seconds(f"import {module}"))
    boto3_median = statistics.median(times.pop("boto3"))
    return {module: statistics.median(samples) / boto3_median for module, samples in times.items()}, boto3_median


def import_ratio(module: str, rounds: int = 15) -> tuple[float, float, float]:
    ratios, boto3_median = import_ratios([module], rounds)
    return ratios[module], ratios[module] * boto3_median, boto3_median
