"""The reliability and security defaults of docs/design.md, checked on every resource of every stack and environment."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import construct_path, references, resources_of_type, role_statements

FOURTEEN_DAYS = 14 * 24 * 3600


def templates(env_name: str) -> dict[str, dict[str, Any]]:
    return synthesize(env_name).templates


def dead_letter_queue_ids(template: dict[str, Any]) -> set[str]:
    """Queues named as a DLQ anywhere: rule targets, buses and pipes (DeadLetterConfig), queues (RedrivePolicy)."""
    ids: set[str] = set()
    for resource in template["Resources"].values():
        for key in ("DeadLetterConfig", "RedrivePolicy"):
            for fragment in _values_under(resource.get("Properties", {}), key):
                ids |= references(fragment)
    return ids & set(resources_of_type(template, "AWS::SQS::Queue"))


def _values_under(node: Any, key: str) -> list[Any]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _values_under(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _values_under(v, key)]
    return []


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_queue_is_encrypted_ssl_only_and_alarmed(env_name: str) -> None:
    for stack_name, template in templates(env_name).items():
        policies = resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        for queue_id, queue in resources_of_type(template, "AWS::SQS::Queue").items():
            where = f"{stack_name}/{queue_id}"
            assert queue["Properties"].get("SqsManagedSseEnabled") or queue["Properties"].get("KmsMasterKeyId"), where
            ssl_only = [
                s
                for p in policies
                if {"Ref": queue_id} in p["Properties"]["Queues"]
                for s in p["Properties"]["PolicyDocument"]["Statement"]
                if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
            ]
            assert ssl_only, f"{where} accepts requests without TLS"
            assert any(queue_id in references(a["Properties"].get("Dimensions", [])) for a in alarms), (
                f"{where} has no alarm"
            )


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_dead_letter_queue_keeps_messages_fourteen_days(env_name: str) -> None:
    for template in templates(env_name).values():
        queues = resources_of_type(template, "AWS::SQS::Queue")
        dead_letter_queues = dead_letter_queue_ids(template)
        assert dead_letter_queues or not queues
        for queue_id in dead_letter_queues:
            assert queues[queue_id]["Properties"]["MessageRetentionPeriod"] == FOURTEEN_DAYS, queue_id


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_rule_target_has_a_dlq_and_a_retry_policy(env_name: str) -> None:
    for template in templates(env_name).values():
        for rule_id, rule in resources_of_type(template, "AWS::Events::Rule").items():
            for target in rule["Properties"]["Targets"]:
                assert "Arn" in target.get("DeadLetterConfig", {}), f"{rule_id}/{target['Id']} has no DLQ"
                retry = target.get("RetryPolicy", {})
                assert 0 < retry.get("MaximumRetryAttempts", 0) <= 185, f"{rule_id}/{target['Id']}"
                assert 0 < retry.get("MaximumEventAgeInSeconds", 0) <= 86_400, f"{rule_id}/{target['Id']}"


# CDK's AwsCustomResource provider (Node.js, CDK's own code): the standby region's Data stack reads its replica's
# stream ARN with it at deploy time. It still logs into its own group with the environment's retention.
CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd22872D164C4C"


def app_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    return {function_id: f for function_id, f in functions.items() if function_id != CUSTOM_RESOURCE_PROVIDER}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_the_only_function_not_ours_is_the_standby_data_stacks_custom_resource_provider(env_name: str) -> None:
    app = synthesize(env_name)
    with_provider = [
        stack.artifact_id for stack in app.app.all()
        if CUSTOM_RESOURCE_PROVIDER in resources_of_type(app.templates[stack.artifact_id], "AWS::Lambda::Function")
    ]  # fmt: skip
    assert with_provider == ([f"Orders-{env_name}-Data-{app.config.secondary_region}"] if app.app.standby else [])


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_function_is_arm64_python314_traced_json_logged_into_its_own_log_group(env_name: str) -> None:
    config = synthesize(env_name).config
    for template in templates(env_name).values():
        log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
        layers = resources_of_type(template, "AWS::Lambda::LayerVersion")
        for function_id, function in app_functions(template).items():
            properties = function["Properties"]
            assert properties["Runtime"] == "python3.14", function_id
            assert properties["Architectures"] == ["arm64"], function_id
            mode = {"ACTIVE": "Active", "PASS_THROUGH": "PassThrough"}[config.lambda_tracing]
            assert properties["TracingConfig"] == {"Mode": mode}, function_id
            assert properties["LoggingConfig"]["LogFormat"] == "JSON", function_id
            assert properties["LoggingConfig"]["ApplicationLogLevel"] == config.lambda_log_level, function_id
            [log_group_id] = references(properties["LoggingConfig"]["LogGroup"])
            assert log_groups[log_group_id]["Properties"]["RetentionInDays"] == config.log_retention_days
            assert [layer_id for layer in properties["Layers"] for layer_id in references(layer)] == list(layers)
            variables = properties["Environment"]["Variables"]
            assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Orders"
            assert variables["POWERTOOLS_SERVICE_NAME"]
            assert re.fullmatch(r"lambdas\.\w+\.handler\.handler", properties["Handler"]), function_id
            assert {"MemorySize", "Timeout"} <= set(properties), function_id


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_every_log_group_has_retention_and_the_environments_removal_policy(env_name: str) -> None:
    config = synthesize(env_name).config
    expected_policy = "Retain" if config.retain_data else "Delete"
    for template in templates(env_name).values():
        for log_group_id, log_group in resources_of_type(template, "AWS::Logs::LogGroup").items():
            assert log_group["Properties"]["RetentionInDays"] == config.log_retention_days, log_group_id
            assert log_group["DeletionPolicy"] == expected_policy, log_group_id


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_wildcard_resources_only_where_aws_requires_them(env_name: str) -> None:
    """X-Ray, CloudWatch Logs delivery and PutMetricData have no resource-level permissions; nothing else may use
    Resource "*"."""
    allowed = {
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
        # a state machine's log delivery to CloudWatch Logs
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        # the workflow's AlreadyHandledExecutions count (PutMetricData has no resource type)
        "cloudwatch:PutMetricData",
    }  # fmt: skip
    for template in templates(env_name).values():
        for policy_id, policy in resources_of_type(template, "AWS::IAM::Policy").items():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Resource"] == "*" or "*" in statement["Resource"]:
                    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                    assert set(actions) <= allowed, f"{policy_id}: {actions} on *"


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_function_roles_write_only_to_their_own_log_group(env_name: str) -> None:
    for template in templates(env_name).values():
        assert not any(
            "AWSLambdaBasicExecutionRole" in json.dumps(role)
            for role in resources_of_type(template, "AWS::IAM::Role").values()
        )
        for function in resources_of_type(template, "AWS::Lambda::Function").values():
            [role_id] = references(function["Properties"]["Role"])
            [log_group_id] = references(function["Properties"]["LoggingConfig"]["LogGroup"])
            role_path = construct_path(template["Resources"][role_id]).split("/", 1)[1].removesuffix("/Resource")
            log_statements = [s for s in role_statements(template, role_path) if "logs:PutLogEvents" in s["Action"]]
            assert [s["Resource"] for s in log_statements] == [{"Fn::GetAtt": [log_group_id, "Arn"]}]
