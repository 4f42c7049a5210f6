"""EventFabric: the stream pipe's reliability defaults, the bus with DLQ and archive, the log rule, the alarms."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import only_resource, references, resource_at, resources_of_type


def fabric(env_name: str) -> dict[str, Any]:
    return synthesize(env_name).template("EventFabric")


def pipe(env_name: str) -> dict[str, Any]:
    return resource_at(fabric(env_name), "StreamPipe/Pipe")[1]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_stream_source_has_finite_retries_record_age_bisect_and_dlq(env_name: str) -> None:
    settings = synthesize(env_name).config.stream_pipe
    source = pipe(env_name)["Properties"]["SourceParameters"]["DynamoDBStreamParameters"]
    dlq_id, _ = resource_at(fabric(env_name), "StreamPipe/DeadLetterQueue/Queue")
    assert source == {
        "BatchSize": settings.batch_size,
        "MaximumBatchingWindowInSeconds": settings.maximum_batching_window_seconds,
        "StartingPosition": settings.starting_position,
        "MaximumRetryAttempts": settings.maximum_retry_attempts,
        "MaximumRecordAgeInSeconds": settings.maximum_record_age_seconds,
        "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
        "ParallelizationFactor": settings.parallelization_factor,
        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}},
    }
    assert 0 <= source["MaximumRetryAttempts"] <= 10
    assert 60 <= source["MaximumRecordAgeInSeconds"] <= 86_400
    assert source["BatchSize"] <= 10  # an event bus target takes at most 10 events per batch


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_pipe_reads_the_table_stream_and_targets_the_bus_with_dynamic_source_and_detail_type(env_name: str) -> None:
    properties = pipe(env_name)["Properties"]
    assert "StreamArn" in json.dumps(properties["Source"])
    bus_id, _ = resource_at(fabric(env_name), "Bus")
    assert properties["Target"] == {"Fn::GetAtt": [bus_id, "Arn"]}
    enrichment_id, _ = resource_at(fabric(env_name), "StreamPipe/Enrichment/Function")
    assert properties["Enrichment"] == {"Fn::GetAtt": [enrichment_id, "Arn"]}
    bus_parameters = properties["TargetParameters"]["EventBridgeEventBusParameters"]
    assert bus_parameters["Source"] == "$.metadata.source"
    assert bus_parameters["DetailType"] == "$.metadata.detailType"
    assert "TableCD117FA1Arn" in json.dumps(bus_parameters["Resources"])
    assert "InputTemplate" not in properties["TargetParameters"]


@pytest.mark.parametrize(("env_name", "level"), [("dev", "INFO"), ("staging", "ERROR"), ("prod", "ERROR")])
def test_pipe_log_configuration_per_environment(env_name: str, level: str) -> None:
    """Never the execution data: it would log the stream records' images, personal fields included (decision 33)."""
    log_configuration = pipe(env_name)["Properties"]["LogConfiguration"]
    log_group_id, log_group = resource_at(fabric(env_name), "StreamPipe/LogGroup")
    assert log_configuration["Level"] == level
    assert "IncludeExecutionData" not in log_configuration
    assert log_configuration["CloudwatchLogsLogDestination"] == {"LogGroupArn": {"Fn::GetAtt": [log_group_id, "Arn"]}}
    assert log_group["Properties"]["RetentionInDays"] == synthesize(env_name).config.log_retention_days


def test_pipe_waits_for_its_role_policy() -> None:
    policy_id, _ = resource_at(fabric("dev"), "StreamPipe/PipeRole/DefaultPolicy")
    assert policy_id in pipe("dev")["DependsOn"]


def test_pipe_role_may_only_read_the_stream_invoke_enrichment_put_on_bus_and_use_its_dlq_and_logs() -> None:
    _, policy = resource_at(fabric("dev"), "StreamPipe/PipeRole/DefaultPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {
        action for s in statements for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage",
        "lambda:InvokeFunction", "events:PutEvents", "logs:CreateLogStream", "logs:PutLogEvents",
    }  # fmt: skip
    assert all(s["Resource"] != "*" for s in statements)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_bus_has_a_dlq_that_only_the_bus_may_write_to(env_name: str) -> None:
    template = fabric(env_name)
    bus_id, bus = resource_at(template, "Bus")
    dlq_id, _ = resource_at(template, "BusDeadLetterQueue/Queue")
    assert bus["Properties"]["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    _, policy = resource_at(template, "BusDeadLetterQueue/Queue/Policy")
    [allow] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [bus_id, "Arn"]}}}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_archive_keeps_every_event_for_the_configured_retention(env_name: str) -> None:
    archive = only_resource(fabric(env_name), "AWS::Events::Archive")["Properties"]
    assert archive["RetentionDays"] == synthesize(env_name).config.archive_retention_days
    config = synthesize(env_name).config
    own = (
        {"detail": {"metadata": {"originRegion": [config.region, {"exists": False}]}}}
        if config.secondary_region
        else {}
    )
    assert archive["EventPattern"] == {"source": [{"prefix": ""}], **own}  # replays, and with a standby its own only


def test_the_event_log_is_infrequent_access() -> None:
    """Half the ingestion price; Logs Insights still reads it (decision 27)."""
    _, log_group = resource_at(fabric("prod"), "EventLog")
    assert log_group["Properties"]["LogGroupClass"] == "INFREQUENT_ACCESS"


def test_log_rule_sends_every_event_to_its_log_group_with_dlq_and_retry_policy() -> None:
    template = fabric("dev")
    _, rule = resource_at(template, "EventLogRule")
    [target] = rule["Properties"]["Targets"]
    log_group_id, _ = resource_at(template, "EventLog")
    dlq_id, _ = resource_at(template, "EventLogDeadLetterQueue/Queue")
    assert log_group_id in references(target["Arn"])
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600}
    [policy] = resources_of_type(template, "AWS::Logs::ResourcePolicy").values()
    document = json.dumps(policy["Properties"]["PolicyDocument"])
    assert "events.amazonaws.com" in document
    assert log_group_id in document


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_pipe_failures_and_every_dlq_alarm_to_the_topic(env_name: str) -> None:
    template = fabric(env_name)
    topic_id, _ = resource_at(template, "AlarmTopic")
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    assert all(alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}] for alarm in alarms)
    pipe_alarm = next(a["Properties"] for a in alarms if a["Properties"].get("MetricName") == "ExecutionFailed")
    assert pipe_alarm["Namespace"] == "AWS/EventBridge/Pipes"
    pipe_id, _ = resource_at(template, "StreamPipe/Pipe")
    assert pipe_alarm["Dimensions"] == [{"Name": "PipeName", "Value": {"Ref": pipe_id}}]
    assert pipe_alarm["Threshold"] == 1
    alarmed_queues = {
        dimension["Value"]["Fn::GetAtt"][0]
        for alarm in alarms
        for dimension in alarm["Properties"].get("Dimensions", [])
        if dimension["Name"] == "QueueName"
    }
    assert alarmed_queues == set(resources_of_type(template, "AWS::SQS::Queue"))
    assert len(alarmed_queues) == 3  # bus, log rule, pipe


@pytest.mark.parametrize(("env_name", "subscribed"), [("dev", False), ("prod", True)])
def test_alarm_email_subscription_only_where_configured(env_name: str, subscribed: bool) -> None:
    subscriptions = resources_of_type(fabric(env_name), "AWS::SNS::Subscription").values()
    assert [s["Properties"]["Endpoint"] for s in subscriptions] == (["orders-oncall@example.com"] if subscribed else [])
