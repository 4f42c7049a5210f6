"""CacheIntegration: the secret reference, destinations, rules, DLQs, alarms; and no secret in any template."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from stacks.names import dead_letter_queue_label
from tests.support.synth import ENVIRONMENTS, synthesize
from tests.support.templates import references, resource_at, resources_of_type, walk


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
def test_destinations_endpoints_methods_and_rate_limits(env_name: str) -> None:
    settings = synthesize(env_name).config.cache
    template = cache_stack(env_name)
    [connection_id] = resources_of_type(template, "AWS::Events::Connection")
    destinations = {
        d["Properties"]["HttpMethod"]: d["Properties"]
        for d in resources_of_type(template, "AWS::Events::ApiDestination").values()
    }
    assert {method: d["InvocationEndpoint"] for method, d in destinations.items()} == {
        "PUT": f"{settings.endpoint}/cache/{settings.cache_name}",
        "DELETE": f"{settings.endpoint}/cache/{settings.cache_name}",
        "POST": f"{settings.endpoint}/topics/{settings.cache_name}/{settings.topic_name}",
    }
    for destination in destinations.values():
        assert destination["InvocationRateLimitPerSecond"] == settings.invocation_rate_limit_per_second
        assert destination["ConnectionArn"] == {"Fn::GetAtt": [connection_id, "Arn"]}


@pytest.mark.parametrize(
    ("rule", "method", "detail_types", "query"),
    [
        (
            "OrderCacheSetRule",
            "PUT",
            ["OrderCreated", "OrderUpdated"],
            {"key": "$.detail.metadata.entityId", "ttl_seconds": "3600"},
        ),
        ("OrderCacheDeleteRule", "DELETE", ["OrderDeleted"], {"key": "$.detail.metadata.entityId"}),
        ("OrderTopicRule", "POST", ["OrderCreated", "OrderUpdated", "OrderDeleted"], None),
    ],
)
def test_rules_route_order_changes_to_their_destination_never_replays(
    rule: str, method: str, detail_types: list[str], query: dict[str, str] | None
) -> None:
    template = cache_stack()
    _, resource = resource_at(template, rule)
    # A cache entry is set only from an order with a status (tests/contracts/test_bus_rules.py says why).
    with_status = {"detail": {"data": {"status": [{"exists": True}]}}} if method == "PUT" else {}
    assert resource["Properties"]["EventPattern"] == {
        "source": ["orders.table"],
        "detail-type": detail_types,
        "replay-name": [{"exists": False}],
        **with_status,
    }
    [target] = resource["Properties"]["Targets"]
    destination_id = target["Arn"]["Fn::GetAtt"][0]
    assert template["Resources"][destination_id]["Properties"]["HttpMethod"] == method
    assert target.get("HttpParameters", {}).get("QueryStringParameters") == query
    dlq_id, dlq = resource_at(template, f"{rule}DeadLetterQueue/Queue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 21600}
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    alarmed = {
        q
        for a in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        for q in references(a["Properties"]["Dimensions"])
    }
    assert dlq_id in alarmed


def test_ttl_comes_from_the_environment() -> None:
    _, rule = resource_at(cache_stack("prod"), "OrderCacheSetRule")
    assert rule["Properties"]["Targets"][0]["HttpParameters"]["QueryStringParameters"]["ttl_seconds"] == "86400"


def test_the_events_role_may_only_invoke_these_destinations() -> None:
    template = cache_stack()
    destination_ids = set(resources_of_type(template, "AWS::Events::ApiDestination"))
    statements = [
        s
        for p in resources_of_type(template, "AWS::IAM::Policy").values()
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
