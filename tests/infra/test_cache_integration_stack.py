"""CacheIntegration: the secret reference, the topic's destination, the sync's buffer and function, rules, DLQs,
alarms; and no secret in any template."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from lambdas.cache_sync.view import PROJECTED_ATTRIBUTES
from stacks.names import dead_letter_queue_label
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import construct_path, references, resource_at, resources_of_type, walk


def cache_stack(env_name: str = "dev") -> dict[str, Any]:
    return synthesize(env_name).template("CacheIntegration")


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_connection_reads_the_api_key_from_the_configured_secret(env_name: str) -> None:
    secret_name = synthesize(env_name).config.cache.api_key_secret_name
    [connection] = resources_of_type(cache_stack(env_name), "AWS::Events::Connection").values()
    assert connection["Properties"]["AuthorizationType"] == "API_KEY"
    assert connection["Properties"]["AuthParameters"] == {
        "ApiKeyAuthParameters": {
            "ApiKeyName": "Authorization",
            "ApiKeyValue": f"{{{{resolve:secretsmanager:{secret_name}:SecretString:::}}}}",
        }
    }
    assert "Parameters" not in cache_stack(env_name) or set(cache_stack(env_name)["Parameters"]) <= {"BootstrapVersion"}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_the_one_destination_is_the_topic(env_name: str) -> None:
    settings = synthesize(env_name).config.cache
    template = cache_stack(env_name)
    [connection_id] = resources_of_type(template, "AWS::Events::Connection")
    [destination] = resources_of_type(template, "AWS::Events::ApiDestination").values()
    assert destination["Properties"]["HttpMethod"] == "POST"
    assert destination["Properties"]["InvocationEndpoint"] == (
        f"{settings.endpoint}/topics/{settings.cache_name}/{settings.topic_name}"
    )
    assert destination["Properties"]["InvocationRateLimitPerSecond"] == settings.invocation_rate_limit_per_second
    assert destination["Properties"]["ConnectionArn"] == {"Fn::GetAtt": [connection_id, "Arn"]}


def _delivers_to_an_alarmed_dead_letter_queue(template: dict[str, Any], rule: str, target: dict[str, Any]) -> None:
    dlq_id, dlq = resource_at(template, f"{rule}DeadLetterQueue/Queue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600}
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq_id in _alarmed(template)


def _alarmed(template: dict[str, Any]) -> set[str]:
    return {
        q
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        for q in references(a["Properties"]["Dimensions"])
    }


ORDER_CHANGES = {
    "source": ["orders.table"],
    "detail-type": ["OrderCreated", "OrderUpdated", "OrderDeleted"],
    "replay-name": [{"exists": False}],
}


def test_every_order_change_is_published_on_the_topic_never_replays() -> None:
    template = cache_stack()
    _, resource = resource_at(template, "OrderTopicRule")
    assert resource["Properties"]["EventPattern"] == ORDER_CHANGES
    [target] = resource["Properties"]["Targets"]
    assert template["Resources"][target["Arn"]["Fn::GetAtt"][0]]["Properties"]["HttpMethod"] == "POST"
    assert target["HttpParameters"] == {"HeaderParameters": {"Content-Type": "text/plain"}}
    _delivers_to_an_alarmed_dead_letter_queue(template, "OrderTopicRule", target)


def test_every_order_change_reaches_the_sync_buffer_never_replays() -> None:
    template = cache_stack()
    _, resource = resource_at(template, "OrderCacheSyncRule")
    assert resource["Properties"]["EventPattern"] == ORDER_CHANGES
    [target] = resource["Properties"]["Targets"]
    buffer_id, buffer = resource_at(template, "SyncBuffer")
    assert target["Arn"] == {"Fn::GetAtt": [buffer_id, "Arn"]}
    assert "InputTransformer" not in target  # the event as it is: the sync reads only which order it names
    _delivers_to_an_alarmed_dead_letter_queue(template, "OrderCacheSyncRule", target)
    dlq_id, _ = resource_at(template, "SyncBufferDeadLetterQueue/Queue")
    assert buffer["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
        "maxReceiveCount": 5,
    }
    assert dlq_id in _alarmed(template)
    assert buffer_id in _alarmed(template)  # its backlog's age


def _sync_function(template: dict[str, Any]) -> dict[str, Any]:
    [function] = [
        f
        for f in resources_of_type(template, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == "lambdas.cache_sync.handler.handler"
    ]
    return dict(function["Properties"])


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_the_sync_is_configured_from_the_environment(env_name: str) -> None:
    settings = synthesize(env_name).config.cache
    variables = _sync_function(cache_stack(env_name))["Environment"]["Variables"]
    assert {name: value for name, value in variables.items() if name.startswith("CACHE_")} == {
        "CACHE_ENDPOINT": settings.endpoint,
        "CACHE_NAME": settings.cache_name,
        "CACHE_TTL_SECONDS": str(settings.ttl_seconds),
        "CACHE_API_KEY_SECRET_NAME": settings.api_key_secret_name,
    }
    assert "TABLE_NAME" in variables


def test_the_sync_reads_only_the_cached_attributes_of_order_items() -> None:
    template = cache_stack()
    statements = [
        s
        for p in resources_of_type(template, "AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "dynamodb:GetItem" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    [statement] = statements
    assert statement["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:Attributes": list(PROJECTED_ATTRIBUTES)},
        "Null": {"dynamodb:Attributes": "false"},
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ORDER#*"]},
    }
    assert not set(PROJECTED_ATTRIBUTES) & {"customer", "name", "email"}


def test_the_events_roles_may_only_invoke_the_destination() -> None:
    template = cache_stack()
    destination_ids = set(resources_of_type(template, "AWS::Events::ApiDestination"))
    statements = [
        s
        for path, p in ((construct_path(p), p) for p in resources_of_type(template, "AWS::IAM::Policy").values())
        if "TargetRole" in path
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements
    for statement in statements:
        assert statement["Action"] == "events:InvokeApiDestination"
        assert references(statement["Resource"]) <= destination_ids


SECRET_LOOKING = [
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # a JWT (Momento API keys are JWTs)
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)(api[_-]?key|token|password|secret)[\"']?\s*[:=]\s*[\"'][^\"'{}$<]{8,}"),
    re.compile(r"\b[A-Za-z0-9+/]{40,}={0,2}\b"),  # long base64 runs
]


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_no_template_holds_anything_that_looks_like_a_secret(env_name: str) -> None:
    synthesized = synthesize(env_name)
    for stack in synthesized.app.all():
        stack_name, template = stack.stack_name, synthesized.templates[stack.artifact_id]
        # construct paths in the metadata look like base64 and can hold nothing secret
        text = json.dumps(
            {**template, "Resources": {k: r.get("Properties", {}) for k, r in template["Resources"].items()}}
        )
        for pattern in SECRET_LOOKING:
            found = [
                m.group(0)
                for m in pattern.finditer(text)
                if not _is_generated_identifier(m.group(0), stack_name, template)
            ]
            assert found == [], f"{stack_name}: {found[:3]}"
        for node in walk(template):
            if isinstance(node, dict) and "ApiKeyValue" in node:
                assert str(node["ApiKeyValue"]).startswith("{{resolve:secretsmanager:"), stack_name
        assert all(p.get("NoEcho") or name == "BootstrapVersion" for name, p in template.get("Parameters", {}).items())


def _is_generated_identifier(text: str, stack_name: str, template: dict[str, Any]) -> bool:
    """Asset hashes, CDK's logical ids and output names (a path squeezed together, then 8 hex digits), and construct
    paths as `ops.dlq` labels them (`<component>/<path in the stack>`, named in the alarms' descriptions)."""
    known = set(template["Resources"]) | set(template.get("Outputs", {}))
    return (
        text in known
        or bool(re.fullmatch(r"[0-9a-f]{64}(\.zip)?|[A-Za-z0-9]+[0-9A-F]{8}", text))
        or any(path.startswith(f"{text}/") for path in _labelled_paths(stack_name, template))
    )


def _labelled_paths(stack_name: str, template: dict[str, Any]) -> list[str]:
    """By the stack's name, not its construct id: a standby region's stack has the same name as the primary's."""
    paths = [r.get("Metadata", {}).get("aws:cdk:path", "") for r in template["Resources"].values()]
    return [
        dead_letter_queue_label(stack_name, in_stack)
        for _, _, in_stack in (p.partition("/") for p in paths)
        if in_stack
    ]


@pytest.mark.parametrize(
    "planted",
    [
        {"ApiKeyValue": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcmRlcnMifQ.c2lnbmF0dXJlLXZhbHVl"},
        {"Environment": {"AWS_ACCESS_KEY_ID": "AKIAABCDEFGHIJKLMNOP"}},
        {"Headers": {"apiKey": "s3cr3t-value-123"}},
        {"Value": "dGhpcyBpcyBhIHZlcnkgbG9uZyBzZWNyZXQgdmFsdWUgaW4gYmFzZTY0Cg=="},
    ],
)
def test_the_secret_scan_catches_a_planted_value(planted: dict[str, Any]) -> None:
    text = json.dumps(planted)
    assert any(pattern.search(text) for pattern in SECRET_LOOKING)
