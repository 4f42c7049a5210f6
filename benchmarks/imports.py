"""Cold-start import cost of every handler: `python -m benchmarks.imports` (part of `make benchmark`).

Each handler module is imported in a fresh interpreter, interleaved with a bare `import boto3`, and reported as
the ratio of the medians measured in this one run (never absolute times). Target: at most 1.3x for every handler.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.timing import import_ratios

ROUNDS = 9
TARGET = 1.3
HANDLERS = sorted(f"lambdas.{p.parent.name}.handler" for p in Path("lambdas").glob("*/handler.py"))


def main() -> int:
    ratios, boto3_median = import_ratios(HANDLERS, ROUNDS)
    print(f"handler import / import boto3 (medians of {ROUNDS} interleaved fresh interpreters; "
          f"boto3 took {boto3_median * 1e3:.0f} ms here; target <= {TARGET}x)")  # fmt: skip
    for module, ratio in ratios.items():
        print(f"  {module:40s} {ratio:5.2f}x  {'ok' if ratio <= TARGET else 'OVER'}")
    return 0 if all(ratio <= TARGET for ratio in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
