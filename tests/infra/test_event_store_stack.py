"""EventStore: keys and GSIs, TTL per environment, the catch-all rule (replays included), DLQs, alarms, IAM."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import references, resource_at, resources_of_type, role_statements


def event_store(env_name: str = "dev") -> dict[str, Any]:
    return synthesize(env_name).template("EventStore")


def table(env_name: str = "dev") -> dict[str, Any]:
    return resource_at(event_store(env_name), "Table")[1]


def test_keys_and_indexes() -> None:
    properties = table()["Properties"]
    assert properties["KeySchema"] == [
        {"AttributeName": "aggregate", "KeyType": "HASH"},
        {"AttributeName": "eventKey", "KeyType": "RANGE"},
    ]
    indexes = {
        i["IndexName"]: [k["AttributeName"] for k in i["KeySchema"]] for i in properties["GlobalSecondaryIndexes"]
    }
    assert indexes == {"ByDay": ["dayShard", "eventKey"]}  # one index (decision 27)
    # keys only: queries read the events by key; a whole copy per index would triple every write (decision 22)
    assert {i["Projection"]["ProjectionType"] for i in properties["GlobalSecondaryIndexes"]} == {"KEYS_ONLY"}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    [replica] = properties["Replicas"]
    assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize(("env_name", "retention"), [("dev", "30"), ("staging", "90"), ("prod", None)])
def test_retention_per_environment(env_name: str, retention: str | None) -> None:
    [function] = resources_of_type(event_store(env_name), "AWS::Lambda::Function").values()
    assert function["Properties"]["Environment"]["Variables"].get("RETENTION_DAYS") == retention
    assert table(env_name)["DeletionPolicy"] == ("Delete" if env_name == "dev" else "Retain")


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_catch_all_rule_includes_replays_and_feeds_the_buffer(env_name: str) -> None:
    template = event_store(env_name)
    _, rule = resource_at(template, "EveryEventRule")
    config = synthesize(env_name).config
    own = (
        {"detail": {"metadata": {"originRegion": [config.region, {"exists": False}]}}}
        if config.secondary_region
        else {}
    )
    assert rule["Properties"]["EventPattern"] == {"source": [{"prefix": ""}], **own}  # replays included
    [target] = rule["Properties"]["Targets"]
    buffer_id, buffer = resource_at(template, "Buffer")
    rule_dlq_id, _ = resource_at(template, "RuleDeadLetterQueue/Queue")
    buffer_dlq_id, _ = resource_at(template, "BufferDeadLetterQueue/Queue")
    assert target["Arn"] == {"Fn::GetAtt": [buffer_id, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [rule_dlq_id, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600}
    assert buffer["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [buffer_dlq_id, "Arn"]},
        "maxReceiveCount": 5,
    }


def test_writer_reads_the_buffer_in_batches_with_partial_failures() -> None:
    template = event_store()
    [mapping] = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    buffer_id, _ = resource_at(template, "Buffer")
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [buffer_id, "Arn"]}
    assert mapping["Properties"]["BatchSize"] == synthesize("dev").config.event_store.batch_size
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_alarms_on_both_dlqs() -> None:
    template = event_store()
    alarmed = {
        queue
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        for queue in references(alarm["Properties"].get("Dimensions", []))
    }
    for path in ("RuleDeadLetterQueue/Queue", "BufferDeadLetterQueue/Queue"):
        assert resource_at(template, path)[0] in alarmed


def test_writer_may_write_the_store_table_only() -> None:
    template = event_store()
    table_id, _ = resource_at(template, "Table")
    statements = role_statements(template, "Writer/Role")
    dynamodb = [s for s in statements if "dynamodb:" in json.dumps(s["Action"])]
    assert [(s["Action"], s["Resource"]) for s in dynamodb] == [("dynamodb:PutItem", {"Fn::GetAtt": [table_id, "Arn"]})]
    buffer_id, _ = resource_at(template, "Buffer")
    sqs = [s for s in statements if "sqs:" in json.dumps(s["Action"])]
    assert all(s["Resource"] == {"Fn::GetAtt": [buffer_id, "Arn"]} for s in sqs)  # the mapping's own read access
