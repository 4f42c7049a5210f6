"""Each region's stream pipe, found by the bus it publishes to (the bus has the same fixed name in both regions), so
no CloudFormation call is needed: in a region outage the primary's CloudFormation may not answer either.

Starting a pipe that was deployed stopped: the Pipes guide does not say where a DynamoDB stream pipe that has never
run starts reading (from its StartingPosition as of its creation, or as of its first start;
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-dynamodb.html). Either way it could publish up to
24 hours of changes the other region's pipe already published, so a pipe is started with a cutoff in its filter:
only records changed at or after `--since` (`dynamodb.ApproximateCreationDateTime`, epoch seconds) pass. Both
answers then publish the same events.

UpdatePipe changes only the fields it is given, except that a service's parameter object (here
DynamoDBStreamParameters) is replaced as a whole (UpdatePipe in the Pipes API reference); the update sends that
object as DescribePipe returned it, so it stays as deployed under either reading.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ops.aws import OperatorError
from stacks.names import bus_name

ClientFactory = Callable[[str], Any]  # for one region

CUTOFF_FIELD = "ApproximateCreationDateTime"
# What UpdatePipe's DynamoDBStreamParameters accepts (StartingPosition is fixed at creation).
UPDATABLE_STREAM_PARAMETERS = (
    "BatchSize", "DeadLetterConfig", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts", "OnPartialBatchItemFailure", "ParallelizationFactor",
)  # fmt: skip


@dataclass(frozen=True)
class StreamPipe:
    region: str
    name: str
    desired_state: str
    current_state: str
    description: dict[str, Any]  # as DescribePipe returns it

    @property
    def cutoff(self) -> datetime | None:
        """The `--since` a failover set in its filter, if any."""
        found = [_cutoff_of(json.loads(f["Pattern"])) for f in _filters(self.description)]
        seconds = [cutoff for cutoff in found if cutoff is not None]
        return datetime.fromtimestamp(min(seconds), tz=UTC) if seconds else None

    @property
    def publishes(self) -> bool:
        return self.desired_state == "RUNNING"


def find_stream_pipe(client: ClientFactory, env_name: str, region: str) -> StreamPipe:
    """The pipe whose target is the environment's bus in that region and whose source is a DynamoDB stream."""
    identity_arn = client("sts").get_caller_identity()["Arn"]
    partition, account = identity_arn.split(":")[1], identity_arn.split(":")[4]
    bus_arn = f"arn:{partition}:events:{region}:{account}:event-bus/{bus_name(env_name)}"
    pipes = client("pipes")
    listed = pipes.list_pipes(TargetPrefix=bus_arn).get("Pipes", [])
    streams = [p for p in listed if p.get("Target") == bus_arn and "/stream/" in p.get("Source", "")]
    if len(streams) != 1:
        raise OperatorError(
            f"expected one stream pipe publishing to {bus_arn}, found {len(streams)}: is environment '{env_name}' "
            f"deployed in {region}?"
        )
    description = pipes.describe_pipe(Name=streams[0]["Name"])
    return StreamPipe(
        region=region,
        name=description["Name"],
        desired_state=description["DesiredState"],
        current_state=description["CurrentState"],
        description=description,
    )


def publishing_update(pipe: StreamPipe, since: datetime) -> dict[str, Any]:
    """UpdatePipe's arguments that start the pipe with only records changed at or after `since` passing."""
    stream_parameters = pipe.description.get("SourceParameters", {}).get("DynamoDBStreamParameters")
    if stream_parameters is None:
        raise OperatorError(f"DescribePipe {pipe.name} returned no DynamoDBStreamParameters; nothing was changed")
    patterns = [with_cutoff(json.loads(f["Pattern"]), since) for f in _filters(pipe.description)] or [
        with_cutoff({}, since)
    ]
    return {
        "Name": pipe.name,
        "RoleArn": pipe.description["RoleArn"],
        "DesiredState": "RUNNING",
        "SourceParameters": {
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps(p, separators=(",", ":"))} for p in patterns]},
            "DynamoDBStreamParameters": {
                key: value for key, value in stream_parameters.items() if key in UPDATABLE_STREAM_PARAMETERS
            },
        },
    }


def with_cutoff(pattern: dict[str, Any], since: datetime) -> dict[str, Any]:
    """The pattern, also requiring the record to have changed at or after `since` (any earlier cutoff replaced)."""
    dynamodb = {**pattern.get("dynamodb", {}), CUTOFF_FIELD: [{"numeric": [">=", int(since.timestamp())]}]}
    return {**pattern, "dynamodb": dynamodb}


def _cutoff_of(pattern: dict[str, Any]) -> int | None:
    for condition in pattern.get("dynamodb", {}).get(CUTOFF_FIELD, []):
        if isinstance(condition, dict) and "numeric" in condition:
            return int(condition["numeric"][1])
    return None


def _filters(description: dict[str, Any]) -> list[dict[str, str]]:
    filters: list[dict[str, str]] = description.get("SourceParameters", {}).get("FilterCriteria", {}).get("Filters", [])
    return filters
