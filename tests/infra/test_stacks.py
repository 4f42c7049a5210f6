"""Every stack of every environment: named Orders-<env>-<Stack>, tagged, described, pinned to its region."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.names import table_name
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import resources_of_type


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_stacks_are_named_tagged_and_described(env_name: str) -> None:
    synthesized = synthesize(env_name)
    for stack in synthesized.stacks.all():
        assert stack.stack_name.startswith(f"Orders-{env_name}-")
        assert stack.node.id == stack.stack_name
        assert stack.tags.tag_values() == {"application": "orders", "environment": env_name}
        assert stack.template_options.description
        assert env_name in stack.template_options.description
        assert stack.region == synthesized.config.region


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_physical_names_are_generated_except_a_multi_region_table(env_name: str) -> None:
    """Two environments can share an account: resources get generated names (references are fine). The one
    exception is the table of an environment with a standby region: its replica is found by that name, and the name
    carries the environment's."""
    config = synthesize(env_name).config
    name_properties = ("TableName", "QueueName", "FunctionName", "StateMachineName", "TopicName", "LogGroupName")
    for template in synthesize(env_name).templates.values():
        for logical_id, resource in template["Resources"].items():
            for name_property in name_properties:
                value = resource.get("Properties", {}).get(name_property)
                if isinstance(value, str):
                    assert config.secondary_region, f"{logical_id} hard-codes {name_property}={value!r}"
                    assert (name_property, value) == ("TableName", table_name(env_name)), logical_id


def _shape(template: dict[str, Any], env_name: str) -> list[tuple[str, str]]:
    """Each resource's type and logical id; an id CDK derives from the stack's name (an SQS event source's) counts
    by its type only."""
    return sorted(
        (resource["Type"], "" if f"Orders{env_name}" in logical_id else logical_id)
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] != "AWS::XRay::SamplingRule"  # only where the config samples (below)
    )


def _of_type(env_name: str, resource_type: str) -> list[dict[str, Any]]:
    return [r for t in synthesize(env_name).templates.values() for r in resources_of_type(t, resource_type).values()]


def test_staging_has_devs_shape_and_differs_in_its_settings() -> None:
    """What the dropped staging snapshots would have shown: the same resources as dev in every stack, and where
    staging's settings differ from dev's, the templates carry staging's values."""
    dev, staging = synthesize("dev"), synthesize("staging")
    assert [_shape(t, "staging") for t in staging.templates.values()] == [
        _shape(t, "dev") for t in dev.templates.values()
    ]
    config = staging.config
    assert config.retain_data
    assert not dev.config.retain_data
    for table in _of_type("staging", "AWS::DynamoDB::GlobalTable"):
        assert table["DeletionPolicy"] == "Retain"
        assert all(replica["DeletionProtectionEnabled"] for replica in table["Properties"]["Replicas"])
    for log_group in _of_type("staging", "AWS::Logs::LogGroup"):
        assert log_group["Properties"]["RetentionInDays"] == config.log_retention_days
        assert log_group["DeletionPolicy"] == "Retain"
    [archive] = _of_type("staging", "AWS::Events::Archive")
    assert archive["Properties"]["RetentionDays"] == config.archive_retention_days
    [mapping] = [m for m in _of_type("staging", "AWS::Lambda::EventSourceMapping") if "Writer" in json.dumps(m)]
    assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] == config.event_store.maximum_concurrency
    [stream_pipe] = [p for p in _of_type("staging", "AWS::Pipes::Pipe") if "DynamoDBStreamParameters" in
                     p["Properties"]["SourceParameters"]]  # fmt: skip
    source = stream_pipe["Properties"]["SourceParameters"]["DynamoDBStreamParameters"]
    settings = config.stream_pipe
    assert (source["StartingPosition"], source["MaximumRecordAgeInSeconds"], source["MaximumRetryAttempts"]) == (
        settings.starting_position, settings.maximum_record_age_seconds, settings.maximum_retry_attempts)  # fmt: skip
    assert stream_pipe["Properties"]["LogConfiguration"]["Level"] == settings.log_level
    assert "IncludeExecutionData" not in stream_pipe["Properties"]["LogConfiguration"]
    functions = [f for f in _of_type("staging", "AWS::Lambda::Function") if "LoggingConfig" in f["Properties"]]
    assert {f["Properties"]["LoggingConfig"]["ApplicationLogLevel"] for f in functions} == {config.lambda_log_level}
    assert {f["Properties"]["TracingConfig"]["Mode"] for f in functions} == {"PassThrough"}
    [sampling] = _of_type("staging", "AWS::XRay::SamplingRule")
    assert sampling["Properties"]["SamplingRule"]["FixedRate"] == config.workflow.traced_share
    assert _of_type("dev", "AWS::XRay::SamplingRule") == []  # dev traces every execution
