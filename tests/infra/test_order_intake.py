"""Order intake: encryption and redrive, the pipe (source, filter, target, template), DLQs, alarms, least privilege."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rendering.pipe_records import filter_view
from tests.support.events import matches
from tests.support.pipes_input import sqs_record, target_payload
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import references, resource_at, resources_of_type, role_statements


def intake_stack(env_name: str = "dev") -> dict[str, Any]:
    return synthesize(env_name).template("Intake")


def pipe(env_name: str = "dev") -> dict[str, Any]:
    properties: dict[str, Any] = resource_at(intake_stack(env_name), "Intake/Pipe")[1]["Properties"]
    return properties


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_intake_queue_is_encrypted_and_redrives_to_its_dlq(env_name: str) -> None:
    template = intake_stack(env_name)
    _, queue = resource_at(template, "Intake/Queue")
    dlq_id, dlq = resource_at(template, "Intake/DeadLetterQueue/Queue")
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": synthesize(env_name).config.intake.max_receive_count,
    }
    assert queue["Properties"]["VisibilityTimeout"] == 180  # 6x the intake function's 30 s timeout
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_pipe_reads_the_queue_and_invokes_the_intake_function_synchronously() -> None:
    template = intake_stack()
    queue_id, _ = resource_at(template, "Intake/Queue")
    function_id, _ = resource_at(template, "Intake/Function/Function")
    properties = pipe()
    assert properties["Source"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert properties["SourceParameters"]["SqsQueueParameters"] == {
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": 1,
    }
    assert properties["Target"] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert properties["TargetParameters"]["LambdaFunctionParameters"] == {"InvocationType": "REQUEST_RESPONSE"}


def test_the_function_gets_the_sqs_records_as_they_are_whatever_the_body() -> None:
    """No input template: none could be valid JSON both for a JSON body and for a text body (see order_intake.py)."""
    assert "InputTemplate" not in pipe()["TargetParameters"]
    records = [sqs_record("m-1", '{"orderId": "o-1"}'), sqs_record("m-2", "not json")]
    assert target_payload(pipe(), records) == records


def test_filter_only_routes_heartbeats_away_and_lets_every_other_message_through() -> None:
    filters = [json.loads(f["Pattern"]) for f in pipe()["SourceParameters"]["FilterCriteria"]["Filters"]]

    def passes(record: dict[str, Any]) -> bool:
        return any(matches(pattern, filter_view(record)) for pattern in filters)

    plain = sqs_record("m-1", '{"orderId": "o-1"}')
    garbage = sqs_record("m-2", "\x00 definitely not an order")
    tagged = sqs_record("m-3", "{}", {"purpose": "order"})
    other_attribute = sqs_record("m-4", "{}", {"source": "web"})
    heartbeat = sqs_record("m-5", "ping", {"purpose": "heartbeat"})
    # A real order a producer tagged as a heartbeat by mistake: an SQS pipe deletes what it filters out, so it vanished.
    mistagged_order = sqs_record("m-6", '{"orderId": "o-6"}', {"purpose": "heartbeat"})
    json_heartbeat = sqs_record("m-7", '{"probe": "queue-alive"}', {"purpose": "heartbeat"})

    assert [passes(r) for r in (plain, garbage, tagged, other_attribute, mistagged_order)] == [True] * 5
    assert not passes(heartbeat)
    assert not passes(json_heartbeat)


@pytest.mark.parametrize(("env_name", "level"), [("dev", "INFO"), ("prod", "ERROR")])
def test_pipe_logs_per_environment(env_name: str, level: str) -> None:
    assert pipe(env_name)["LogConfiguration"]["Level"] == level


def test_alarms_on_dlq_rejected_queue_and_backlog() -> None:
    template = intake_stack()
    alarms = [a["Properties"] for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()]
    for queue_path in ("Intake/DeadLetterQueue/Queue", "Intake/RejectedQueue/Queue"):
        queue_id, _ = resource_at(template, queue_path)
        [alarm] = [a for a in alarms if queue_id in references(a.get("Dimensions", []))]
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Threshold"] == 1
    intake_id, _ = resource_at(template, "Intake/Queue")
    [backlog] = [a for a in alarms if intake_id in references(a.get("Dimensions", []))]
    assert backlog["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert backlog["Threshold"] == synthesize("dev").config.intake.backlog_max_age_seconds


def test_intake_function_may_write_orders_and_send_rejections_only() -> None:
    template = intake_stack()
    rejected_id, _ = resource_at(template, "Intake/RejectedQueue/Queue")
    log_group_id, _ = resource_at(template, "Intake/Function/LogGroup")
    by_resource = {
        json.dumps(s["Resource"]): sorted(s["Action"]) for s in role_statements(template, "Intake/Function/Role")
    }
    table_arn = [r for r in by_resource if "TableCD117FA1Arn" in r]
    assert [by_resource[r] for r in table_arn] == [["dynamodb:GetItem", "dynamodb:PutItem"]]
    assert by_resource[json.dumps({"Fn::GetAtt": [rejected_id, "Arn"]})] == [
        "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage",
    ]  # fmt: skip
    assert by_resource[json.dumps({"Fn::GetAtt": [log_group_id, "Arn"]})] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ]
    assert by_resource['"*"'] == ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
    assert len(by_resource) == 4


def test_pipe_may_consume_the_intake_queue_and_invoke_its_enrichment_and_function_only() -> None:
    template = intake_stack()
    queue_id, _ = resource_at(template, "Intake/Queue")
    function_id, _ = resource_at(template, "Intake/Function/Function")
    lookup_id, _ = resource_at(template, "Intake/CustomerLookup/Function")
    log_group_id, _ = resource_at(template, "Intake/PipeLogGroup")
    for statement in role_statements(template, "Intake/PipeRole"):
        assert references(statement["Resource"]) <= {queue_id, function_id, lookup_id, log_group_id}, statement
        assert statement["Resource"] != "*"


def test_the_pipe_enriches_each_batch_with_its_customers_by_one_batched_read() -> None:
    template = intake_stack()
    _, pipe = resource_at(template, "Intake/Pipe")
    lookup_id, lookup = resource_at(template, "Intake/CustomerLookup/Function")
    assert references(pipe["Properties"]["Enrichment"]) == {lookup_id}
    assert "InputTemplate" not in pipe["Properties"].get("EnrichmentParameters", {})  # the records as SQS gives them
    assert lookup["Properties"]["Handler"] == "lambdas.customer_snapshot.handler.handler"
    [statement] = [s for s in role_statements(template, "Intake/CustomerLookup/Role") if "dynamodb" in str(s["Action"])]
    assert statement["Action"] == "dynamodb:BatchGetItem"
