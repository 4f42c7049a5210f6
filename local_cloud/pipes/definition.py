"""Each pipe of the deployed app, read from its template in the cloud assembly and resolved against the emulator.

Nothing here knows the app: a pipe is whatever an `AWS::Pipes::Pipe` resource says. A pipe that uses something the
runner does not cover is reported by `unsupported` and not run, rather than run wrongly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_cloud.deployed import DeployedStacks, Template, load_template

PIPE_TYPE = "AWS::Pipes::Pipe"
SUPPORTED_TARGETS = ("EventBridgeEventBusParameters", "LambdaFunctionParameters")
RESOLVED = ("Source", "SourceParameters", "Enrichment", "EnrichmentParameters", "Target", "TargetParameters", "RoleArn")


@dataclass(frozen=True)
class PipeDefinition:
    stack: str
    logical_id: str
    name: str
    source_arn: str
    source: dict[str, Any]  # DynamoDBStreamParameters or SqsQueueParameters, as the template has them
    filters: list[str]
    enrichment_arn: str | None
    enrichment_template: str | None
    target_arn: str
    target_template: str | None
    target_parameters: dict[str, Any]
    role_arn: str
    unsupported: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.stack}/{self.logical_id}"

    @property
    def is_stream(self) -> bool:
        return ":dynamodb:" in self.source_arn

    @property
    def dead_letter_arn(self) -> str | None:
        config = self.source.get("DeadLetterConfig") or {}
        return config.get("Arn")

    def reserved_variables(self, ingestion_time: str) -> dict[str, str]:
        return {
            "aws.pipes.pipe-arn": f"arn:aws:pipes:::pipe/{self.name}",
            "aws.pipes.pipe-name": self.name,
            "aws.pipes.source-arn": self.source_arn,
            "aws.pipes.enrichment-arn": self.enrichment_arn or "",
            "aws.pipes.target-arn": self.target_arn,
            "aws.pipes.event.ingestion-time": ingestion_time,
        }


def pipe_resources(assembly_dir: Path, stack_names: list[str]) -> list[tuple[str, str, Template]]:
    """(stack, logical id, template) of every pipe in the assembly."""
    found: list[tuple[str, str, Template]] = []
    for stack in stack_names:
        template = load_template(assembly_dir, stack)
        found.extend(
            (stack, logical_id, template)
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] == PIPE_TYPE
        )
    return found


def load_pipe(deployed: DeployedStacks, stack: str, logical_id: str, template: Template) -> PipeDefinition:
    raw = template["Resources"][logical_id]["Properties"]
    # Only what the runner acts on is resolved; LogConfiguration is not (see the package docstring).
    properties = {key: deployed.resolve(stack, template, raw[key]) for key in RESOLVED if key in raw}
    source_parameters = properties.get("SourceParameters", {})
    source = source_parameters.get("DynamoDBStreamParameters") or source_parameters.get("SqsQueueParameters") or {}
    target_parameters = properties.get("TargetParameters", {})
    return PipeDefinition(
        stack=stack,
        logical_id=logical_id,
        name=deployed.physical_id(stack, logical_id),
        source_arn=properties["Source"],
        source=source,
        filters=[f["Pattern"] for f in source_parameters.get("FilterCriteria", {}).get("Filters", [])],
        enrichment_arn=properties.get("Enrichment"),
        enrichment_template=properties.get("EnrichmentParameters", {}).get("InputTemplate"),
        target_arn=properties["Target"],
        target_template=target_parameters.get("InputTemplate"),
        target_parameters={k: v for k, v in target_parameters.items() if k != "InputTemplate"},
        role_arn=properties["RoleArn"],
        unsupported=unsupported(properties),
    )


def unsupported(properties: dict[str, Any]) -> list[str]:
    """What this pipe asks of Pipes that the runner does not do (an empty list: it runs as Pipes would)."""
    problems = []
    source = properties.get("SourceParameters", {})
    kinds = [k for k in source if k not in ("FilterCriteria",)]
    if kinds not in (["DynamoDBStreamParameters"], ["SqsQueueParameters"]):
        problems.append(f"source parameters {kinds} (covered: a DynamoDB stream or an SQS queue)")
    enrichment = properties.get("Enrichment")
    if enrichment and ":lambda:" not in enrichment:
        problems.append(f"enrichment {enrichment} (covered: a Lambda function)")
    target = properties.get("TargetParameters", {})
    kinds = [k for k in target if k != "InputTemplate"]
    if len(kinds) != 1 or kinds[0] not in SUPPORTED_TARGETS:
        problems.append(f"target parameters {kinds} (covered: {', '.join(SUPPORTED_TARGETS)})")
    elif target.get("LambdaFunctionParameters", {}).get("InvocationType", "REQUEST_RESPONSE") != "REQUEST_RESPONSE":
        problems.append("a FIRE_AND_FORGET Lambda target (covered: REQUEST_RESPONSE)")
    return problems


def describe(definition: PipeDefinition) -> str:
    return json.dumps(
        {"pipe": definition.name, "source": definition.source_arn, "target": definition.target_arn,
         "enrichment": definition.enrichment_arn, "filters": len(definition.filters)}
    )  # fmt: skip


def as_description(definition: PipeDefinition) -> dict[str, Any]:
    """The pipe as AWS's DescribePipe returns it (the parts a redrive publishes with), from its template: MiniStack's
    DescribePipe keeps only source and target."""
    source_kind = "DynamoDBStreamParameters" if definition.is_stream else "SqsQueueParameters"
    source_parameters: dict[str, Any] = {source_kind: definition.source}
    if definition.filters:
        source_parameters["FilterCriteria"] = {"Filters": [{"Pattern": pattern} for pattern in definition.filters]}
    target_parameters = dict(definition.target_parameters)
    if definition.target_template is not None:
        target_parameters["InputTemplate"] = definition.target_template
    description: dict[str, Any] = {
        "Name": definition.name,
        "Arn": f"arn:aws:pipes:{_region_of(definition.source_arn)}:{_account_of(definition.source_arn)}:pipe/"
        f"{definition.name}",
        "Source": definition.source_arn,
        "SourceParameters": source_parameters,
        "Target": definition.target_arn,
        "TargetParameters": target_parameters,
    }
    if definition.enrichment_arn:
        description["Enrichment"] = definition.enrichment_arn
    return description


def _region_of(arn: str) -> str:
    return arn.split(":")[3]


def _account_of(arn: str) -> str:
    return arn.split(":")[4]
