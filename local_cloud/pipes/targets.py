"""Calling a pipe's enrichment and target the way Pipes does (synchronously, with the batch as one JSON array)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from local_cloud.pipes.definition import PipeDefinition
from rendering.pipe_input import dynamic_parameter, render

MAX_BUS_ENTRIES = 10  # PutEvents takes at most 10 entries per call
# An entry may be at most 256 KB, counted as the EventBridge user guide's "Calculating PutEvents event entry size"
# says (eb-putevent-size.html); the emulator takes bigger ones, which AWS refuses.
MAX_ENTRY_BYTES = 256 * 1024


def entry_size(entry: dict[str, Any]) -> int:
    """A PutEvents entry's size as EventBridge counts it: Time 14 bytes if set, then the UTF-8 bytes of Source,
    DetailType, Detail and each resource."""
    size = 14 if "Time" in entry else 0
    for text in (entry.get("Source"), entry.get("DetailType"), entry.get("Detail"), *entry.get("Resources", [])):
        size += len(str(text).encode()) if text is not None else 0
    return size


class DeliveryError(Exception):
    """The enrichment or target failed this batch; the message says which and why."""


def invoke(lambda_client: Any, function_arn: str, payload: Any) -> Any:
    response = lambda_client.invoke(
        FunctionName=function_arn, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
    )
    body = response["Payload"].read()
    if response.get("FunctionError"):
        raise DeliveryError(f"{function_arn.rsplit(':', 1)[-1]} failed: {body.decode(errors='replace')[:500]}")
    return json.loads(body) if body else None


def transformed(definition: PipeDefinition, template: str | None, elements: list[Any]) -> list[Any]:
    """Each element through the input template, if the pipe has one."""
    if template is None:
        return elements
    reserved = definition.reserved_variables(datetime.now(UTC).isoformat(timespec="milliseconds"))
    return [render(template, element, reserved) for element in elements]


def enrich(lambda_client: Any, definition: PipeDefinition, records: list[Any]) -> list[Any]:
    if definition.enrichment_arn is None:
        return records
    result = invoke(
        lambda_client, definition.enrichment_arn, transformed(definition, definition.enrichment_template, records)
    )
    # "For targets, the event payload is what is returned from the enrichment": a list maps onto the batch.
    return result if isinstance(result, list) else [result]


def put_on_bus(events_client: Any, definition: PipeDefinition, elements: list[Any]) -> int:
    """EventBridgeEventBusParameters: Source, DetailType, Resources (dynamic paths read each element) and the
    element as Detail."""
    parameters = definition.target_parameters["EventBridgeEventBusParameters"]
    details = transformed(definition, definition.target_template, elements)
    entries = []
    for element, detail in zip(elements, details, strict=True):
        entry = {
            "EventBusName": definition.target_arn,
            "Source": dynamic_parameter(parameters.get("Source"), element),
            "DetailType": dynamic_parameter(parameters.get("DetailType"), element),
            "Detail": json.dumps(detail),
            "Resources": [dynamic_parameter(r, element) for r in parameters.get("Resources", [])],
        }
        if "Time" in parameters:
            entry["Time"] = dynamic_parameter(parameters["Time"], element)
        entries.append({key: value for key, value in entry.items() if value is not None})
    # Whether AWS refuses the whole request or only that entry is not documented; either way the pipe's target stage
    # fails, so the batch is retried, bisected and the record's pointer ends in the DLQ: the runner does that here.
    too_big = [size for size in map(entry_size, entries) if size > MAX_ENTRY_BYTES]
    if too_big:
        raise DeliveryError(f"PutEvents refuses entries over {MAX_ENTRY_BYTES} bytes: {too_big[:3]} bytes")
    for start in range(0, len(entries), MAX_BUS_ENTRIES):
        response = events_client.put_events(Entries=entries[start : start + MAX_BUS_ENTRIES])
        if response.get("FailedEntryCount"):
            failed = [e for e in response["Entries"] if e.get("ErrorCode")]
            raise DeliveryError(f"PutEvents refused {len(failed)} entries: {failed[:3]}")
    return len(entries)


def invoke_lambda_target(lambda_client: Any, definition: PipeDefinition, elements: list[Any]) -> set[str]:
    """The ids the function reported as failed (`batchItemFailures`); raises DeliveryError if it failed outright."""
    response = invoke(
        lambda_client, definition.target_arn, transformed(definition, definition.target_template, elements)
    )
    failures = response.get("batchItemFailures", []) if isinstance(response, dict) else []
    return {str(failure["itemIdentifier"]) for failure in failures}
