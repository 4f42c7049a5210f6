"""The intake pipeline around the intake handler: messages in as the deployed pipe hands them, outcomes out."""

from __future__ import annotations

import json
from typing import Any

from devtools.fake_lambda_context import FakeLambdaContext
from lambdas.customer_snapshot import handler as customer_lookup
from lambdas.intake import handler as intake
from lambdas.shared.entities import ORDER
from tests.support.pipes_input import sqs_record, target_payload
from tests.support.synth import synthesize
from tests.support.templates import resource_at
from tests.support.workflow_harness import TABLE_NAME


def intake_pipe() -> dict[str, Any]:
    _, pipe = resource_at(synthesize("dev").template("Intake"), "Intake/Pipe")
    properties: dict[str, Any] = pipe["Properties"]
    return properties


class Intake:
    def __init__(self, table: Any, sqs: Any, rejected_url: str) -> None:
        self.table, self.sqs, self.rejected_url = table, sqs, rejected_url
        self.enriched: list[dict[str, Any]] = []  # what the enrichment handed the intake function last

    def deliver(self, *bodies: str | dict[str, Any]) -> dict[str, Any]:
        return self.deliver_rendered(
            [
                {"messageId": f"m-{index}", "body": body if isinstance(body, str) else json.dumps(body)}
                for index, body in enumerate(bodies)
            ]
        )

    def deliver_rendered(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """SQS records with these ids and bodies, through the pipe's enrichment (the customer lookup) into the
        handler, as the deployed pipe hands them over."""
        records = [sqs_record(m["messageId"], m["body"]) for m in messages]
        assert intake_pipe()["Enrichment"], "the deployed intake pipe has the customer lookup as its enrichment"
        self.enriched = customer_lookup.handler(records, FakeLambdaContext(function_name="customer-lookup"))
        batch = target_payload(intake_pipe(), self.enriched)
        result: dict[str, Any] = dict(intake.handler(batch, FakeLambdaContext(function_name="intake")))
        return result

    def orders(self) -> dict[str, dict[str, Any]]:
        items = self.table.scan(TableName=TABLE_NAME)["Items"]
        return {item["orderId"]["S"]: item for item in items if item["pk"]["S"].startswith(ORDER.key_prefix)}

    def rejections(self) -> list[dict[str, Any]]:
        found = []
        while messages := self.sqs.receive_message(QueueUrl=self.rejected_url, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.rejected_url, ReceiptHandle=message["ReceiptHandle"])
        return found
