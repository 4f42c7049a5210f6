"""The README's example output still looks like what the commands print: each example block's lines have the shape
the command's own formatting gives them (numbers, ids and times aside), and every hop a smoke example names is one
the smoke scenario has. An example is dated in the README; its figures are the run's, not kept current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Assumptions, Traffic
from devtools.cost.model import priced, summary
from devtools.synth import synthesized_templates_by_region
from ops.load.account import Account
from ops.load.report import as_text
from ops.pictures import text_timeline
from tests.support.authorization import report

pytestmark = pytest.mark.xdist_group("synth")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
README = (PROJECT_ROOT / "README.md").read_text()


def example_after(marker: str) -> list[str]:
    """The lines of the first fenced block after `marker`."""
    start = README.index("```", README.index(marker))
    body = README[README.index("\n", start) + 1 : README.index("```", start + 3)]
    return body.rstrip("\n").splitlines()


def shape(line: str) -> str:
    line = re.sub(r"(load|smoke|first)-[0-9]{6,14}(-[0-9a-f]{4})?(-[A-Za-z0-9-]+)?", "ID", line)
    return re.sub(r"[0-9]+(\.[0-9]+)?", "N", line)


def test_the_load_example_has_the_accounts_shape() -> None:
    rendered = as_text(Account(
        run_id="load-20261207051634-0ad7", mix="default", sent=2, messages=2, written=1,
        rejected={"lineItems.0.quantity: Expected `int` >= 1": 1}, terminal={"BACKORDERED": 1, "INVALID": 1,
        "SHIPPED": 1}, stuck=[], lost=[], wrong_outcome=[], events_missing=[], events_twice=[], cache_behind=[],
        dead_letters={}, stock={}, orders_per_second=3.85,
        latency_ms={"send -> written": {"p50": 800, "p90": 1200, "p99": 1300, "p100": 1500},
                    "send -> settled": {"p50": 1700, "p90": 2400, "p99": 2900, "p100": 3100}},
    ))  # fmt: skip
    shapes = {shape(line) for line in rendered.splitlines()}
    example = example_after("The account of a run of 2,000 orders")
    assert [line for line in example if shape(line) not in shapes] == []


def test_the_smoke_example_names_hops_the_scenario_has_and_its_summary_line() -> None:
    source = "".join(path.read_text() for path in (PROJECT_ROOT / "ops" / "smoke").glob("*.py"))
    example = example_after("A run of `make local-smoke` prints")
    hops = [line[8:56].rstrip() for line in example if line.startswith(("  ok    ", "  skip  "))]
    assert hops
    assert [hop for hop in hops if f'"{hop}"' not in source] == []
    assert re.fullmatch(r"passed: \d+ checks, \d+ skipped in [\d.]+ s", example[-1])
    assert 'f"passed: {' in source


def test_the_make_local_example_has_the_steps_and_the_timelines_shape() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    example = example_after("`make local` on a fresh clone")
    steps = [line for line in example if line.startswith("[local] ")]
    assert len(steps) == 3
    assert all(f'@echo "{step}"' in makefile for step in steps)
    journey = [line for line in example if "█" in line]
    assert journey
    timeline_row = re.compile(r"  (?P<label>\S.*?)\s+ *█+ *\s+\d+\.\d\d ->\s+\d+\.\d\d s")
    assert all(timeline_row.fullmatch(row) for row in text_timeline([("x", 0.0, 1.2), ("y", 1.2, 2.0)]))
    assert [line for line in journey if not timeline_row.fullmatch(line)] == []


def test_the_authorization_counts_in_the_readme_are_the_checks() -> None:
    dev, prod = report("dev"), report("prod")
    figures = (f"dev: {dev.edges} calls allowed, {len(dev.outcomes) - dev.edges} probes\ndenied; prod (both regions): "
               f"{prod.edges} and {len(prod.outcomes) - prod.edges}")  # fmt: skip
    assert figures in README


def test_the_readmes_cost_of_prod_is_the_models() -> None:
    regions = [read_settings(r, t) for r, t in synthesized_templates_by_region("prod").items()]
    result = priced(regions, Traffic(), Assumptions())
    total = summary(result.lines, Traffic())["monthlyUsd"]
    assert f"${total:,.2f} per million orders at 1M orders a month" in README
