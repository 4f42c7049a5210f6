"""make cost: the model reads the synthesized templates, prices every billable line the issue names, and adds up."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest

from devtools.cost import cli
from devtools.cost.coverage import UnpricedResources
from devtools.cost.deployed_settings import read_settings
from devtools.cost.inputs import Assumptions, Traffic, order_footprint, prices
from devtools.cost.model import monthly_lines, summary
from tests.support.synth import synthesize

pytestmark = pytest.mark.xdist_group("synth")

BILLED_SERVICES = {"EventBridge", "Pipes", "Lambda", "Step Functions", "SQS", "DynamoDB", "CloudWatch Logs",
                   "CloudWatch", "Secrets Manager", "X-Ray", "SNS"}  # fmt: skip


def primary_templates(env_name: str) -> dict[str, Any]:
    """What `make cost` reads: the primary region's stacks."""
    app = synthesize(env_name)
    return {stack.stack_name: app.templates[stack.artifact_id] for stack in app.app.primary.all()}


def lines(env_name: str, **traffic: Any) -> list[Any]:
    return monthly_lines(read_settings(primary_templates(env_name)), Traffic(**traffic), Assumptions())


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_every_billable_service_has_a_priced_line_and_the_total_adds_up(env_name: str) -> None:
    found = lines(env_name)
    assert {line.service for line in found} == BILLED_SERVICES
    assert all(line.monthly_usd >= 0 and line.unit_price > 0 for line in found)
    result = summary(found, Traffic())
    assert result["monthlyUsd"] == pytest.approx(sum(line.monthly_usd for line in found))
    assert len(result["topDrivers"]) == 3


def test_the_settings_come_from_the_templates() -> None:
    prod, dev = (read_settings(primary_templates(env)) for env in ("prod", "dev"))
    assert (prod.workflow_type, dev.workflow_type) == ("STANDARD", "EXPRESS")
    assert prod.orders_table.replicas == 2
    assert prod.event_store_table.index_projections == ["KEYS_ONLY", "KEYS_ONLY"]
    assert set(prod.functions) == {"enrichment", "intake", "customer_snapshot", "event_store", "process_order",
                                   "ship_order"}  # fmt: skip


def test_the_workflow_line_is_the_measured_transitions_at_the_listed_price() -> None:
    per = order_footprint(Traffic())
    [transitions] = [line for line in lines("prod") if "state transitions" in line.item]
    accepted = Traffic().orders_per_month * (1 - Traffic().share_rejected_at_intake)
    assert transitions.quantity == pytest.approx(accepted * per["transitions"])
    assert transitions.unit_price == prices()["prices"]["stepfunctions.standardTransition"]["usd"]


def test_usage_lines_scale_with_orders_and_fixed_lines_do_not() -> None:
    one, two = lines("dev", orders_per_month=1_000_000), lines("dev", orders_per_month=2_000_000)
    by_item = {line.item: line.quantity for line in one}
    for line in two:
        fixed = line.service in ("CloudWatch", "Secrets Manager") or "polls" in line.item or "alarm" in line.item
        if line.service == "X-Ray":  # a reservoir of traces per second, then a share: not proportional
            continue
        assert line.quantity == pytest.approx(by_item[line.item] * (1 if fixed else 2), rel=0.01), line.item


def test_the_command_prints_a_table_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # The session's synthesis of dev, rather than a second one that would only cost time.
    monkeypatch.setattr(cli, "synthesized_templates", primary_templates)
    out = io.StringIO()
    assert cli.main(["--env", "dev", "--orders", "100000"], out=out) == 0
    assert "per million orders" in out.getvalue()
    assert "top drivers:" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["--env", "dev", "--json"], out=out) == 0
    result = json.loads(out.getvalue())
    assert {"lines", "perMillionOrdersUsd", "topDrivers", "assumptions", "prices", "perOrder"} <= set(result)


def with_resource(env_name: str, stack_suffix: str, logical_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    templates = copy.deepcopy(primary_templates(env_name))
    [stack] = [name for name in templates if name.endswith(stack_suffix)]
    templates[stack]["Resources"][logical_id] = resource
    return templates


def unpriced(templates: dict[str, Any]) -> list[str]:
    with pytest.raises(UnpricedResources) as refused:
        monthly_lines(read_settings(templates), Traffic(), Assumptions())
    return refused.value.problems


def test_a_billable_type_the_model_does_not_know_stops_it() -> None:
    kinesis = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1},
               "Metadata": {"aws:cdk:path": "Orders-dev-Data/Feed/Resource"}}  # fmt: skip
    [problem] = unpriced(with_resource("dev", "-Data", "Feed", kinesis))
    assert problem.startswith("AWS::Kinesis::Stream (Orders-dev-Data/Feed/Resource): add it to PRICED_TYPES")


def test_a_new_consumers_rule_and_topic_stop_it_until_a_line_prices_them() -> None:
    """The 'add a consumer' recipe's first failure: the rule and its topic are known types, but no line says what
    their events cost."""
    templates = with_resource("dev", "-Workflows", "NewRule", {
        "Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["orders.table"]}},
        "Metadata": {"aws:cdk:path": "Orders-dev-Workflows/NewRule/Resource"}})  # fmt: skip
    [stack] = [name for name in templates if name.endswith("-Workflows")]
    topic_path = {"aws:cdk:path": "Orders-dev-Workflows/NewTopic/Resource"}
    templates[stack]["Resources"]["NewTopic"] = {
        "Type": "AWS::SNS::Topic",
        "Properties": {},
        "Metadata": topic_path,
    }
    assert unpriced(templates) == [
        "rule Orders-dev-Workflows/NewRule/Resource: no line of devtools/cost/model.py prices it; add one and "
        "record its id in bill.priced",
        "topic Orders-dev-Workflows/NewTopic/Resource: no line of devtools/cost/model.py prices it; add one and "
        "record its id in bill.priced",
    ]


def test_a_function_no_line_invokes_stops_it() -> None:
    function = {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "lambdas.restock.handler.handler"},
                "Metadata": {"aws:cdk:path": "Orders-dev-Workflows/Restock/Function/Resource"}}  # fmt: skip
    assert unpriced(with_resource("dev", "-Workflows", "Restock", function)) == [
        "function lambdas.restock: no line of devtools/cost/model.py invokes it (_lambda)"
    ]


def test_the_command_exits_2_and_names_what_it_cannot_price(monkeypatch: pytest.MonkeyPatch) -> None:
    kinesis = {"Type": "AWS::Kinesis::Stream", "Properties": {}, "Metadata": {"aws:cdk:path": "Orders-dev-Data/F"}}
    monkeypatch.setattr(cli, "synthesized_templates", lambda env: with_resource(env, "-Data", "F", kinesis))
    assert cli.main(["--env", "dev"], out=io.StringIO()) == 2


def test_alarm_notifications_are_priced_per_e_mail_subscription() -> None:
    """prod subscribes the on-call e-mail to the alarm topic; dev has no e-mail."""
    emailed = {env: [ln for ln in lines(env) if ln.item == "alarm notifications e-mailed"] for env in ("dev", "prod")}
    assert emailed["dev"][0].quantity == 0
    assert emailed["prod"][0].quantity == Assumptions().alarm_notifications_per_month
