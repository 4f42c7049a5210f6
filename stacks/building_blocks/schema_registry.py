"""The app's EventBridge schema registry: one JSON Schema (draft 4) per detail-type the stream pipe publishes,
generated at synth time from the event contract (event_contract/schemas.py), so the registry cannot drift from the
code. Consumers download code bindings for `orders.table@<DetailType>` from it."""

from __future__ import annotations

from aws_cdk import aws_eventschemas as eventschemas
from constructs import Construct

from event_contract.schemas import event_schemas, schema_content
from lambdas.shared.entities import EVENT_SOURCE


def schema_name(detail_type: str) -> str:
    """`<source>@<detail-type>`, as EventBridge's schema discovery names the schemas it finds."""
    return f"{EVENT_SOURCE}@{detail_type}"


class EventSchemaRegistry(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # The registry's name is generated, so that environments sharing an account each have their own.
        self.registry = eventschemas.CfnRegistry(
            self, "Registry", description="Events the orders app publishes on its bus, one schema per detail-type"
        )
        self.schemas = {
            detail_type: eventschemas.CfnSchema(
                self,
                detail_type,
                registry_name=self.registry.attr_registry_name,
                schema_name=schema_name(detail_type),
                type="JSONSchemaDraft4",
                content=schema_content(schema),
                description=str(schema["description"]),
            )
            for detail_type, schema in event_schemas().items()
        }
