"""A moto world for ops.dlq: every kind of DLQ the app has, listed as a deployed stack lists them, the queues,
rules and targets they go back to, the orders table with its stream, and a pipe with the app's own parameters.

moto's EventBridge has no TestEventPattern and its Lambda runs nothing without Docker, so those two calls go to
moto's pattern engine and to the real enrichment handler (devtools/fake_aws.py); everything else is moto.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools.fake_aws import FakeLambda
from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.enrichment.handler import handler as enrichment_handler
from ops.dlq import cli
from tests.support.events import matches
from tests.support.stream_pipe import the_apps_stream_pipe_parameters
from tests.support.synth import synthesize
from tests.support.workflow_harness import create_table_from_template

REGION = "eu-west-1"
ENRICHMENT = "arn:aws:lambda:eu-west-1:123456789012:function:enrichment"


class PatternsByMoto:
    """moto's events client, with TestEventPattern answered by moto's own pattern engine."""

    def __init__(self, events: Any) -> None:
        self._events = events

    def __getattr__(self, name: str) -> Any:
        return getattr(self._events, name)

    def test_event_pattern(self, EventPattern: str, Event: str) -> dict[str, bool]:
        return {"Result": matches(EventPattern, json.loads(Event))}


@dataclass
class World:
    sqs: Any
    events: Any
    urls: dict[str, str]
    arns: dict[str, str]
    state_machine: str
    table: Any = None
    stream_arn: str = ""
    client: Any = None  # the client factory the CLI is given

    def send(self, queue: str, body: Any, attributes: dict[str, str] | None = None) -> None:
        self.sqs.send_message(
            QueueUrl=self.urls[queue],
            MessageBody=body if isinstance(body, str) else json.dumps(body),
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()},
        )

    def bodies(self, queue: str) -> list[str]:
        found = []
        while messages := self.sqs.receive_message(QueueUrl=self.urls[queue], MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                found.append(message["Body"])
                self.sqs.delete_message(QueueUrl=self.urls[queue], ReceiptHandle=message["ReceiptHandle"])
        return found

    def count(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.urls[queue], AttributeNames=["All"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@contextmanager
def dlq_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """The world, with ops.dlq's client factory pointed at it."""
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        urls, arns = {}, {}
        for name in ("intake", "intake-dlq", "rule-dlq", "pipe-dlq", "rejected", "buffer", "published"):
            urls[name], arns[name] = queue(sqs, name)
        bus = events.create_event_bus(Name="orders")["EventBusArn"]
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(
            name="workflow",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        arns["to-buffer"] = events.put_rule(
            Name="to-buffer", EventBusName="orders", EventPattern=json.dumps({"source": ["orders.table"]})
        )["RuleArn"]
        events.put_targets(Rule="to-buffer", EventBusName="orders", Targets=[{"Id": "Buffer", "Arn": arns["buffer"]}])
        # moto delivers no event to a Step Functions target, so this rule matches nothing put here.
        arns["to-workflow"] = events.put_rule(
            Name="to-workflow", EventBusName="orders", EventPattern=json.dumps({"source": ["never.put.here"]})
        )["RuleArn"]
        events.put_targets(
            Rule="to-workflow",
            EventBusName="orders",
            Targets=[{"Id": "Workflow", "Arn": machine, "InputPath": "$.detail"}],
        )
        events.put_rule(Name="catch-all", EventBusName="orders", EventPattern=json.dumps({"source": ["orders.table"]}))
        events.put_targets(Rule="catch-all", EventBusName="orders", Targets=[{"Id": "P", "Arn": arns["published"]}])
        table = boto3.client("dynamodb", region_name=REGION)
        create_table_from_template(table, synthesize("dev").template("Data"), "orders", stream=True)
        stream_arn = table.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
        pipe = boto3.client("pipes", region_name=REGION).create_pipe(
            Name="stream-pipe",
            RoleArn="arn:aws:iam::123456789012:role/pipe",
            Source=stream_arn,
            Target=bus,
            Enrichment=ENRICHMENT,
            **the_apps_stream_pipe_parameters(table_arn=stream_arn.split("/stream/")[0]),
        )["Arn"]
        entries = [
            {
                "name": "Intake/DeadLetterQueue",
                "kind": "queue",
                "source": arns["intake"],
                **_where(urls, arns, "intake-dlq"),
            },
            {
                "name": "RuleDeadLetterQueue",
                "kind": "rule-target",
                "source": arns["to-buffer"],
                **_where(urls, arns, "rule-dlq"),
            },
            {
                "name": "StreamPipe/DeadLetterQueue",
                "kind": "stream-pipe",
                "source": pipe,
                **_where(urls, arns, "pipe-dlq"),
            },
            {
                "name": "Intake/RejectedQueue",
                "kind": "rejected",
                "source": arns["intake"],
                **_where(urls, arns, "rejected"),
            },
        ]
        template = {
            "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
            "Outputs": {"DeadLetterQueues": {"Value": json.dumps(entries)}},
        }
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="Orders-dev-Workflows", TemplateBody=json.dumps(template)
        )
        functions = FakeLambda({ENRICHMENT: lambda batch: enrichment_handler(batch, FakeLambdaContext())})

        def client(service: str) -> Any:
            if service == "lambda":
                return functions
            if service == "dynamodbstreams":
                return streams_client()
            made = boto3.client(service, region_name=REGION)
            return PatternsByMoto(made) if service == "events" else made

        monkeypatch.setattr(cli, "client_factory", lambda config: client)
        yield World(sqs, events, urls, arns, machine, table, stream_arn, client)


def streams_client() -> Any:
    """moto matches only the streams URL with a trailing slash, which this botocore no longer sends by itself."""
    return boto3.client(
        "dynamodbstreams", region_name=REGION, endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com/"
    )


def _where(urls: dict[str, str], arns: dict[str, str], name: str) -> dict[str, str]:
    return {"url": urls[name], "arn": arns[name]}


def run(*argv: str, answer: str = "n") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err, ask=lambda prompt: answer)
    return code, out.getvalue(), err.getvalue()


def bus_event(detail_type: str, order_id: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"evt-{order_id}",
        "source": "orders.table",
        "detail-type": detail_type,
        "account": "123456789012",
        "time": "2026-11-22T10:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {"metadata": {"entityId": order_id}, "data": {"orderId": order_id}},
    }


def failed_delivery(world: World, rule: str, target: str) -> dict[str, str]:
    return {
        "RULE_ARN": world.arns[rule],
        "TARGET_ARN": target,
        "ERROR_CODE": "SDK_CLIENT_ERROR",
        "ERROR_MESSAGE": "throttled",
    }
