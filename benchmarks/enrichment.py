"""Enrichment benchmark: `python -m benchmarks.enrichment` (or `make benchmark`).

Reports two ratios, each measured within this one run (never absolute times, which depend on the machine):
1. per-record cost of the enrichment handler over a 100-record batch / the floor of deserializing the same
   records' images with boto3's TypeDeserializer alone (target: under 2.0x);
2. import time of the handler module / `import boto3` alone, each in a fresh interpreter (target: under 1.3x).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import io
import os
import sys
import timeit
from typing import Any

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "benchmark")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Benchmark")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from boto3.dynamodb.types import TypeDeserializer

from benchmarks.timing import import_ratio
from devtools.fake_lambda_context import FakeLambdaContext
from event_contract.examples import example_stream_record
from event_contract.schemas import DETAIL_TYPES
from lambdas.enrichment.handler import handler

BATCH_SIZE = 100
PER_RECORD_TARGET = 2.0
IMPORT_TARGET = 1.3


def batch() -> list[dict[str, Any]]:
    """100 records cycling through every detail-type's example change, built by the production code."""
    records = []
    for index in range(BATCH_SIZE):
        record = copy.deepcopy(example_stream_record(DETAIL_TYPES[index % len(DETAIL_TYPES)]))
        record["eventID"] = f"{index:032x}"
        records.append(record)
    return records


def as_boto3_input(attribute: dict[str, Any]) -> dict[str, Any]:
    """boto3's client decodes base64 before TypeDeserializer sees binary; do the same, outside the timing."""
    ((tag, value),) = attribute.items()
    if tag == "B":
        return {tag: base64.b64decode(value)}
    if tag == "BS":
        return {tag: [base64.b64decode(v) for v in value]}
    if tag == "M":
        return {tag: {k: as_boto3_input(v) for k, v in value.items()}}
    if tag == "L":
        return {tag: [as_boto3_input(v) for v in value]}
    return attribute


def images(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {name: as_boto3_input(value) for name, value in record["dynamodb"][image].items()}
        for record in records
        for image in ("NewImage", "OldImage")
        if image in record["dynamodb"]
    ]


def deserialize_floor(boto3_images: list[dict[str, Any]]) -> None:
    deserializer = TypeDeserializer()
    for image in boto3_images:
        {name: deserializer.deserialize(value) for name, value in image.items()}


def per_record_ratio(records: list[dict[str, Any]]) -> tuple[float, float, float]:
    context = FakeLambdaContext()

    def enrich() -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # the metrics flush prints EMF
            handler(records, context)

    boto3_images = images(records)

    def floor() -> None:
        deserialize_floor(boto3_images)

    enrich_seconds = min(timeit.repeat(enrich, number=50, repeat=7)) / 50 / len(records)
    floor_seconds = min(timeit.repeat(floor, number=50, repeat=7)) / 50 / len(records)
    return enrich_seconds / floor_seconds, enrich_seconds, floor_seconds


def main() -> int:
    ratio, enrich_seconds, floor_seconds = per_record_ratio(batch())
    print(
        f"per-record enrichment / TypeDeserializer floor: {ratio:.2f}x "
        f"({enrich_seconds * 1e6:.1f} us vs {floor_seconds * 1e6:.1f} us per record; target < {PER_RECORD_TARGET}x)"
    )
    imports, handler_median, boto3_median = import_ratio("lambdas.enrichment.handler")
    print(
        f"handler import / import boto3: {imports:.2f}x "
        f"({handler_median * 1e3:.0f} ms vs {boto3_median * 1e3:.0f} ms, medians of 15; target < {IMPORT_TARGET}x)"
    )
    return 0 if ratio < PER_RECORD_TARGET and imports < IMPORT_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
