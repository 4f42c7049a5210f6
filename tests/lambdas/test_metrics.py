"""Custom metrics: an incident's metric is published only when it counts something, so a month without incidents
bills it for no hour; every metric any function publishes is in the one registry the cost model counts."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from lambdas.shared.metric_names import ON_INCIDENT, WITH_TRAFFIC, Metric
from lambdas.shared.observability import count, metrics
from tests.support.synth import PROJECT_ROOT


def published(capsys: pytest.CaptureFixture[str]) -> set[str]:
    metrics.flush_metrics(raise_on_empty_metrics=False)
    names: set[str] = set()
    for line in capsys.readouterr().out.splitlines():
        if '"_aws"' in line:
            for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
                names |= {m["Name"] for m in directive["Metrics"]}
    return names


def test_an_incidents_metric_with_nothing_to_count_is_not_published(capsys: pytest.CaptureFixture[str]) -> None:
    count(Metric.ORDERS_RESTARTED, 0)
    count(Metric.INTAKE_UNKNOWN_CUSTOMERS, 0)
    count(Metric.STREAM_RECORDS_ENRICHED, 0)  # a traffic metric: zero is a data point like any other
    assert published(capsys) == {Metric.STREAM_RECORDS_ENRICHED}


def test_an_incidents_metric_is_published_when_it_counts(capsys: pytest.CaptureFixture[str]) -> None:
    count(Metric.ORDERS_OPEN_TOO_LONG, 2)
    assert published(capsys) == {Metric.ORDERS_OPEN_TOO_LONG}


def test_every_metric_is_either_with_traffic_or_an_incident() -> None:
    assert set(Metric) == WITH_TRAFFIC | ON_INCIDENT
    assert not WITH_TRAFFIC & ON_INCIDENT


def test_functions_publish_metrics_only_through_the_registry() -> None:
    """A metric added with Powertools directly would escape the registry, and the cost model would not count it."""
    direct = []
    for path in sorted((PROJECT_ROOT / "lambdas").rglob("*.py")):
        if path.name == "observability.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("add_metric", "single_metric"):
                direct.append(f"{Path(path).relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert direct == []
