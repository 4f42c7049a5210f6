"""What an operator relies on: every DLQ listed with the one consumer it feeds back, one dashboard per environment,
the record-age alarm, and the event fields the AWS docs left us to set (Time, the topic's Content-Type)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lambdas.shared.metric_names import ON_INCIDENT, Metric
from stacks.building_blocks.dead_letter_queue import DeadLetterKind
from stacks.names import DEAD_LETTER_QUEUES_OUTPUT, Component, failover_stack_name
from tests.support.synth import ENVIRONMENTS, PROJECT_ROOT, environment_config, synthesize
from tests.support.templates import resource_at, resources_of_type, walk


def rendered(value: Any) -> Any:
    """A `Fn::Join` of JSON text, parsed, with each reference written as `ref:<id>` or `getatt:<id>.<attribute>`."""
    parts = value["Fn::Join"][1]
    text = "".join(
        part
        if isinstance(part, str)
        else f"ref:{part['Ref']}"
        if "Ref" in part
        else f"getatt:{'.'.join(part['Fn::GetAtt'])}"
        if "Fn::GetAtt" in part
        else "token"
        for part in parts
    )
    return json.loads(text)


def listed_dead_letter_queues(env_name: str, component: Component) -> list[dict[str, str]]:
    outputs = synthesize(env_name).template(component).get("Outputs", {})
    return rendered(outputs[DEAD_LETTER_QUEUES_OUTPUT]["Value"]) if DEAD_LETTER_QUEUES_OUTPUT in outputs else []


def dead_letter_arns(template: dict[str, Any]) -> set[str]:
    """Every queue something sends its failures to: a redrive policy, a rule target's or a pipe's DeadLetterConfig,
    or the intake's rejections (written by its function)."""
    found = set()
    for node in walk(template["Resources"]):
        if isinstance(node, dict):
            for key in ("deadLetterTargetArn", "DeadLetterConfig"):
                target = node.get(key)
                arn = target.get("Arn") if isinstance(target, dict) and "Arn" in target else target
                if isinstance(arn, dict) and "Fn::GetAtt" in arn:
                    found.add(f"getatt:{'.'.join(arn['Fn::GetAtt'])}")
    return found


@pytest.mark.parametrize("component", list(Component))
def test_every_dead_letter_queue_is_listed_with_its_kind_and_source(component: Component) -> None:
    template = synthesize("prod").template(component)
    listed = listed_dead_letter_queues("prod", component)
    listed_arns = {entry["arn"] for entry in listed}
    assert dead_letter_arns(template) <= listed_arns
    for entry in listed:
        queue_id = entry["arn"].removeprefix("getatt:").removesuffix(".Arn")
        assert template["Resources"][queue_id]["Type"] == "AWS::SQS::Queue"
        assert entry["url"] == f"ref:{queue_id}"
        source_id = entry["source"].removeprefix("getatt:").removesuffix(".Arn")
        source = template["Resources"][source_id]
        expected_source_type = {
            DeadLetterKind.QUEUE: "AWS::SQS::Queue",
            DeadLetterKind.REJECTED: "AWS::SQS::Queue",
            DeadLetterKind.RULE_TARGET: "AWS::Events::Rule",
            DeadLetterKind.BUS: "AWS::Events::EventBus",
            DeadLetterKind.STREAM_PIPE: "AWS::Pipes::Pipe",
        }[DeadLetterKind(entry["kind"])]
        assert source["Type"] == expected_source_type, entry["name"]
        feeds = json.dumps(source["Properties"])
        if entry["kind"] in (DeadLetterKind.QUEUE, DeadLetterKind.RULE_TARGET, DeadLetterKind.STREAM_PIPE):
            assert queue_id in feeds, f"{entry['name']}: its source does not send failures to it"


def test_the_environment_lists_all_its_dead_letter_queues_once() -> None:
    listed = [(c, e["name"], e["kind"]) for c in Component for e in listed_dead_letter_queues("prod", c)]
    kinds = sorted(kind for _, _, kind in listed)
    wired = sum(len(dead_letter_arns(synthesize("prod").template(component))) for component in Component)
    # Every queue the templates wire as a DLQ, plus intake's rejected queue (its function writes it), each once.
    assert len({(c, name) for c, name, _ in listed}) == len(listed) == wired + 1
    assert kinds.count(DeadLetterKind.STREAM_PIPE) == 1
    assert kinds.count(DeadLetterKind.BUS) == 1
    assert kinds.count(DeadLetterKind.REJECTED) == 1
    alarmed_on_depth = {
        dimension["Value"]["Fn::GetAtt"][0]
        for component in Component
        for alarm in resources_of_type(synthesize("prod").template(component), "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        for dimension in alarm["Properties"]["Dimensions"]
    }
    listed_queues = {
        e["arn"].removeprefix("getatt:").removesuffix(".Arn")
        for c in Component
        for e in listed_dead_letter_queues("prod", c)
    }
    assert listed_queues == alarmed_on_depth  # each listed queue pages someone as soon as it holds a message


def dashboard(env_name: str) -> dict[str, Any]:
    [(_, resource)] = resources_of_type(
        synthesize(env_name).template(Component.OPERATIONS), "AWS::CloudWatch::Dashboard"
    ).items()
    return resource["Properties"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("env_name", [*ENVIRONMENTS, "local"])
def test_every_environment_has_one_dashboard_in_the_operations_stack(env_name: str) -> None:
    app = synthesize(env_name)
    dashboards = [
        (component, resource)
        for component in Component
        for resource in resources_of_type(app.template(component), "AWS::CloudWatch::Dashboard").values()
    ]
    assert [component for component, _ in dashboards] == [Component.OPERATIONS]
    assert dashboards[0][1]["Properties"]["DashboardName"] == f"Orders-{env_name}"


TITLES = [
    "Stream pipe: executions and failures",
    "Stream pipe: age of the oldest record of each batch (s)",
    "Bus: matched events and failed invocations, per rule",
    "Dead-letter queues: visible messages (python -m ops.dlq list)",
    "Order workflow: executions",
    "Event store: stored and duplicate events",
    "Functions: errors and throttles",
    "Functions: p99 duration (ms)",
]


def dashboard_sections(env_name: str) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's graphs by the heading above them ("" when the environment has one region)."""
    sections: dict[str, list[dict[str, Any]]] = {}
    heading = ""
    for widget in rendered(dashboard(env_name)["DashboardBody"])["widgets"]:
        if widget["type"] == "text":
            heading = widget["properties"]["markdown"].removeprefix("## ")
        else:
            sections.setdefault(heading, []).append(widget["properties"])
    return sections


def test_with_a_standby_the_one_dashboard_has_each_regions_rows_with_its_metrics_in_that_region() -> None:
    sections = dashboard_sections("prod")
    config = environment_config("prod")
    assert list(sections) == [f"{config.region} (primary, publishing)", f"{config.secondary_region} (standby)"]
    for heading, graphs in sections.items():
        region = heading.split(" ")[0]
        assert [graph["title"] for graph in graphs] == TITLES
        for graph in graphs:
            options = [m[-1] for m in graph["metrics"] if isinstance(m[-1], dict)]
            # CDK leaves out a search's region where it is the dashboard's own
            regions = {o.get("region", o.get("searchRegion", config.region)) for o in options}
            assert regions == {region}, graph["title"]
    assert list(dashboard_sections("dev")) == [""]


def test_the_dashboard_shows_what_on_call_looks_at_first() -> None:
    [graphs, _] = dashboard_sections("prod").values()
    widgets = {graph["title"]: graph for graph in graphs}
    assert list(widgets) == TITLES

    def metric_names(title: str) -> list[str]:
        return [m[1] if isinstance(m[0], str) else m[0]["label"] for m in widgets[title]["metrics"]]

    assert metric_names("Stream pipe: executions and failures") == [
        "Invocations", "ExecutionFailed", "EnrichmentStageFailed", "TargetStageFailed"
    ]  # fmt: skip
    assert metric_names("Bus: matched events and failed invocations, per rule") == [
        "MatchedEvents", "FailedInvocations"
    ]  # fmt: skip
    assert metric_names("Order workflow: executions") == [
        "ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "AlreadyHandledExecutions"
    ]  # fmt: skip
    assert metric_names("Event store: stored and duplicate events") == ["EventsStored", "DuplicateEvents"]
    every_dlq = sum(len(listed_dead_letter_queues("prod", c)) for c in Component)
    assert len(widgets["Dead-letter queues: visible messages (python -m ops.dlq list)"]["metrics"]) == every_dlq
    services = {
        variables["POWERTOOLS_SERVICE_NAME"]
        for component in Component
        for function in resources_of_type(synthesize("prod").template(component), "AWS::Lambda::Function").values()
        if "POWERTOOLS_SERVICE_NAME"
        in (variables := function["Properties"].get("Environment", {}).get("Variables", {}))
    }
    durations = widgets["Functions: p99 duration (ms)"]["metrics"]
    assert {m[-1]["label"].replace("_", "-") for m in durations} == services
    assert all(m[-1]["stat"] == "p99" for m in durations)
    assert len(widgets["Functions: errors and throttles"]["metrics"]) == 2 * len(services)
    limit = synthesize("prod").config.stream_pipe.maximum_record_age_seconds
    annotations = widgets["Stream pipe: age of the oldest record of each batch (s)"]["annotations"]["horizontal"]
    assert [a["value"] for a in annotations] == [limit // 2, limit]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_record_age_alarm_pages_at_half_the_pipes_maximum_record_age(env_name: str) -> None:
    _, alarm = resource_at(synthesize(env_name).template(Component.EVENT_FABRIC), "StreamPipe/RecordAgeAlarm")
    properties = alarm["Properties"]
    assert (properties["Namespace"], properties["MetricName"]) == ("Orders", "StreamRecordAgeSeconds")
    assert properties["Dimensions"] == [{"Name": "service", "Value": "enrichment"}]
    assert properties["Statistic"] == "Maximum"
    assert properties["Threshold"] == synthesize(env_name).config.stream_pipe.maximum_record_age_seconds // 2


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_events_carry_the_time_of_their_change(env_name: str) -> None:
    _, pipe = resource_at(synthesize(env_name).template(Component.EVENT_FABRIC), "StreamPipe/Pipe")
    assert pipe["Properties"]["TargetParameters"]["EventBridgeEventBusParameters"]["Time"] == "$.metadata.occurredTime"


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_topic_publishes_carry_a_content_type_momento_accepts(env_name: str) -> None:
    _, rule = resource_at(synthesize(env_name).template(Component.CACHE_INTEGRATION), "OrderTopicRule")
    [target] = rule["Properties"]["Targets"]
    assert target["HttpParameters"]["HeaderParameters"] == {"Content-Type": "text/plain"}


@pytest.mark.parametrize("component", list(Component))
def test_each_dlq_alarm_names_the_operators_next_command(component: Component) -> None:
    template = synthesize("prod").template(component)
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    for entry in listed_dead_letter_queues("prod", component):
        queue_id = entry["arn"].removeprefix("getatt:").removesuffix(".Arn")
        [description] = [
            alarm["Properties"]["AlarmDescription"]
            for alarm in alarms
            if {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
            in alarm["Properties"].get("Dimensions", [])
            and alarm["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        ]
        label = f"{component}/{entry['name']}"
        assert f"`python -m ops.dlq --env prod show {label}`" in description
        redrive = f"`python -m ops.dlq --env prod redrive {label}`"
        assert (redrive in description) == (entry["kind"] != DeadLetterKind.REJECTED)
        assert description.endswith("(docs/runbook.md).")


def test_the_runbook_covers_every_alarm() -> None:
    runbook = (PROJECT_ROOT / "docs" / "runbook.md").read_text()
    headings = re.findall(r"^## .*?`([^`]+)`", runbook, flags=re.MULTILINE)
    prod = synthesize("prod")
    templates = {str(c): prod.template(c) for c in Component} | {
        "Failover": prod.templates[failover_stack_name("prod")]
    }
    for component, template in templates.items():
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values():
            path = alarm["Metadata"]["aws:cdk:path"].split("/", 1)[1].removesuffix("/Resource")
            if path.endswith("/MessagesVisibleAlarm"):  # a DLQ: the runbook names it by its ops.dlq label
                label = f"{component}/{path.removesuffix('/MessagesVisibleAlarm')}"
                assert f"`{label}`" in runbook or label.endswith("RejectedQueue"), label
                continue
            full_path = f"{component}/{path}"
            assert any(full_path.endswith(heading) for heading in headings), f"{full_path} has no runbook section"
    assert "## `Intake/RejectedQueue` alarm" in runbook


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_an_alarm_on_an_incidents_metric_treats_no_data_as_no_incident(env_name: str) -> None:
    """An incident's metric is published only when it counts something (lambdas/shared/metric_names.py): the hours
    without data are the good ones."""
    alarms = [
        alarm["Properties"]
        for template in synthesize(env_name).templates.values()
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") in ON_INCIDENT
    ]
    assert alarms, "no alarm on an incident's metric: the check checks nothing"
    assert Metric.ORDERS_OPEN_TOO_LONG in {a["MetricName"] for a in alarms}
    assert {a["TreatMissingData"] for a in alarms} == {"notBreaching"}
