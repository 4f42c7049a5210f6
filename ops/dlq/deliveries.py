"""Delivering one dead letter to the one place that missed it.

A rule target's dead letter is the event as the bus had it; EventBridge names its rule and target in the message's
attributes. It is delivered to that target with the target's own input (constant, path or transformer: the same
rendering the contract tests check), never put on the bus again. A stream pipe's dead letter is a pointer: its
records are read back from the stream, kept or dropped by the pipe's own filter (evaluated by EventBridge's
TestEventPattern), enriched by the pipe's enrichment and put on its bus with the pipe's target parameters.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

from ops.aws import OperatorError
from ops.dlq.catalog import DeadLetterQueueInfo
from ops.dlq.messages import DeadLetter, StreamPointer
from ops.dlq.redrive import SkipMessage
from ops.dlq.stream_records import read_batch
from rendering.pipe_input import dynamic_parameter
from rendering.rule_input import http_parameters, target_input

ClientFactory = Callable[[str], Any]
MAX_BUS_ENTRIES = 10


def arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN."""
    _, _, service, region, account, resource = arn.split(":", 5)
    return service, region, account, resource


class TargetDelivery:
    """Rule-target and bus DLQs: each event back to its target alone."""

    def __init__(self, client: ClientFactory, queue: DeadLetterQueueInfo, api_key: Callable[[], str]) -> None:
        self._client = client
        self._queue = queue
        self._api_key = api_key
        self._targets: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, letter: DeadLetter) -> str:
        rule_arn = letter.error.get("RULE_ARN") or self._queue.source
        event = letter.payload
        if not isinstance(event, dict):
            raise SkipMessage("the message is not an event")
        return self._deliver(self._target(rule_arn, letter.error.get("TARGET_ARN")), event)

    def deliver(self, event: dict[str, Any]) -> str:
        """`event` to the one target of the rule this DLQ belongs to (a backfill: ops.backfill)."""
        return self._deliver(self._target(self._queue.source, None), event)

    def _deliver(self, target: dict[str, Any], event: dict[str, Any]) -> str:
        body = target_input(target, event)
        service = arn_parts(target["Arn"])[0]
        if service == "states":
            self._client("stepfunctions").start_execution(
                stateMachineArn=target["Arn"], name=f"redrive-{uuid.uuid4().hex[:24]}", input=body
            )
        elif service == "sqs":
            self._client("sqs").send_message(QueueUrl=self._queue_url(target["Arn"]), MessageBody=body)
        elif service == "lambda":
            self._client("lambda").invoke(FunctionName=target["Arn"], InvocationType="Event", Payload=body.encode())
        elif service == "logs":
            self._log(target["Arn"], event)
        elif ":api-destination/" in target["Arn"]:
            self._call_api_destination(target, event, body)
        else:
            raise SkipMessage(f"no redrive for a target of kind {service}")
        return f"delivered to {target['Arn'].rsplit(':', 1)[-1]} ({target['Id']})"

    def _target(self, rule_arn: str, target_arn: str | None) -> dict[str, Any]:
        if rule_arn not in self._targets:
            _, _, _, resource = arn_parts(rule_arn)
            bus, _, rule = resource.removeprefix("rule/").rpartition("/")
            response = self._client("events").list_targets_by_rule(Rule=rule, EventBusName=bus or "default")
            self._targets[rule_arn] = response["Targets"]
        targets = self._targets[rule_arn]
        chosen = [t for t in targets if t["Arn"] == target_arn] if target_arn else targets
        if len(chosen) != 1:
            raise SkipMessage(f"cannot tell which target of {rule_arn} missed it (TARGET_ARN {target_arn!r})")
        return chosen[0]

    def _queue_url(self, queue_arn: str) -> str:
        _, _, account, name = arn_parts(queue_arn)
        return str(self._client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])

    def _log(self, log_group_arn: str, event: dict[str, Any]) -> None:
        logs = self._client("logs")
        group = arn_parts(log_group_arn)[3].removeprefix("log-group:").removesuffix(":*")
        stream = f"redrive-{datetime.now(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        millis = int(datetime.now(UTC).timestamp() * 1000)
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": millis, "message": json.dumps(event)}])  # fmt: skip

    def _call_api_destination(self, target: dict[str, Any], event: dict[str, Any], body: str) -> None:
        """The HTTP call the API destination would make: its endpoint and method, the target's query and headers,
        the connection's API key header (the key from the environment's secret)."""
        events = self._client("events")
        destination = events.describe_api_destination(Name=arn_parts(target["Arn"])[3].split("/")[1])
        connection = events.describe_connection(Name=arn_parts(destination["ConnectionArn"])[3].split("/")[1])
        key_name = connection["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"]
        parameters = http_parameters(target.get("HttpParameters", {}), event)
        query = parameters.get("QueryStringParameters", {})
        url = destination["InvocationEndpoint"] + (f"?{urlencode(query)}" if query else "")
        headers = {**parameters.get("HeaderParameters", {}), key_name: self._api_key()}
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        request = urllib.request.Request(url, data=body.encode(), method=destination["HttpMethod"], headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status = response.status
        except HTTPError as error:
            status = error.code
        if status >= 300:
            raise RuntimeError(f"{destination['HttpMethod']} {destination['InvocationEndpoint']} answered {status}")


def describe_stream_pipe(client: ClientFactory, queue: DeadLetterQueueInfo) -> dict[str, Any]:
    """The pipe that feeds this DLQ, as DescribePipe returns it; refused when the answer lacks what a redrive
    publishes with (an emulator that keeps only source and target), since publishing without it would be wrong."""
    pipe_name = queue.source.rsplit("/", 1)[-1]
    pipe: dict[str, Any] = client("pipes").describe_pipe(Name=pipe_name)
    required = {"SourceParameters": "DynamoDBStreamParameters", "TargetParameters": "EventBridgeEventBusParameters"}
    missing = [f"{group}.{member}" for group, member in required.items() if member not in pipe.get(group, {})]
    if missing:
        raise OperatorError(
            f"DescribePipe {pipe_name} returned no {' and no '.join(missing)}: this endpoint does not describe the "
            f"pipe fully, so its records cannot be published as the pipe would; nothing was changed"
        )
    return pipe


def _which(elements: list[Any]) -> str:
    """The first few events published, by detail-type and entity id, so the operator sees what went out."""
    names = [
        f"{element['metadata'].get('detailType')} {element['metadata'].get('entityId')}"
        for element in elements[:5]
        if isinstance(element, dict) and isinstance(element.get("metadata"), dict)
    ]
    more = f", and {len(elements) - len(names)} more" if len(elements) > len(names) else ""
    return f": {', '.join(names)}{more}" if names else ""


class StreamRedelivery:
    """A stream pipe's pointer: its records read back and published as the pipe would have published them.
    `pipe` is the pipe as DescribePipe returns it (describe_stream_pipe)."""

    def __init__(self, client: ClientFactory, pipe: dict[str, Any]) -> None:
        self._client = client
        self._pipe = pipe

    def __call__(self, letter: DeadLetter) -> str:
        pointer = letter.pointer
        if pointer is None:
            raise SkipMessage("not a stream batch pointer")
        records = read_batch(self._client("dynamodbstreams"), pointer)
        kept = [record for record in records if self._passes_filter(record)]
        elements = self._enrich(kept, pointer)
        self._put(elements)
        return (f"published {len(elements)} events from {len(records)} records ({pointer.first}..{pointer.last})"
                f"{_which(elements)}")  # fmt: skip

    def _passes_filter(self, record: dict[str, Any]) -> bool:
        """TestEventPattern needs a whole event, so the record goes in as its detail and each pattern under detail."""
        filters = self._pipe.get("SourceParameters", {}).get("FilterCriteria", {}).get("Filters", [])
        if not filters:
            return True
        events = self._client("events")
        event = json.dumps({
            "id": str(uuid.uuid4()), "account": arn_parts(self._pipe["Arn"])[2], "source": "ops.dlq",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": arn_parts(self._pipe["Arn"])[1],
            "resources": [], "detail-type": "stream record", "detail": record,
        })  # fmt: skip
        return any(
            events.test_event_pattern(EventPattern=json.dumps({"detail": json.loads(f["Pattern"])}), Event=event)[
                "Result"
            ]
            for f in filters
        )

    def _enrich(self, records: list[dict[str, Any]], pointer: StreamPointer) -> list[Any]:
        enrichment = self._pipe.get("Enrichment")
        if not enrichment or not records:
            return records
        response = self._client("lambda").invoke(
            FunctionName=enrichment, InvocationType="RequestResponse", Payload=json.dumps(records).encode()
        )
        payload = response["Payload"].read().decode()
        if response.get("FunctionError"):
            raise RuntimeError(f"the enrichment still refuses {pointer.first}..{pointer.last}: {payload[:400]}")
        result = json.loads(payload)
        return result if isinstance(result, list) else [result]

    def _put(self, elements: list[Any]) -> None:
        parameters = self._pipe.get("TargetParameters", {}).get("EventBridgeEventBusParameters", {})
        entries = []
        for element in elements:
            entry = {"EventBusName": self._pipe["Target"], "Detail": json.dumps(element),
                     "Source": dynamic_parameter(parameters.get("Source"), element),
                     "DetailType": dynamic_parameter(parameters.get("DetailType"), element),
                     "Resources": [dynamic_parameter(r, element) for r in parameters.get("Resources", [])]}  # fmt: skip
            if "Time" in parameters:
                entry["Time"] = dynamic_parameter(parameters["Time"], element)
            entries.append(entry)
        for start in range(0, len(entries), MAX_BUS_ENTRIES):
            response = self._client("events").put_events(Entries=entries[start : start + MAX_BUS_ENTRIES])
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"PutEvents refused {response['FailedEntryCount']} of the batch's events")
