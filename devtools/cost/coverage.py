"""What the cost model knows how to price, so that it fails on what it does not know instead of leaving it out.

Two checks, both over the synthesized templates:
- every resource type is either priced by a line of the model or free by itself (with the reason); a new type
  (a table, a topic, a state machine of another kind) stops `make cost` until someone says which it is;
- every rule, function and topic is priced by name: the model's lines record what they price (`_Bill.priced`), so a
  new consumer's rule or a new function stops `make cost` until its line is written (docs/changing.md).
"""

from __future__ import annotations

from collections.abc import Iterable

# Types the model prices, and the lines that do.
PRICED_TYPES = {
    "AWS::CloudWatch::Alarm": "CloudWatch alarms",
    "AWS::CloudWatch::Dashboard": "CloudWatch dashboards",
    "AWS::DynamoDB::GlobalTable": "DynamoDB writes, reads and replicated writes",
    "AWS::Events::ApiDestination": "API destination calls",
    "AWS::Events::Archive": "archive processing and storage",
    "AWS::Events::Connection": "the Secrets Manager secret each connection keeps its key in",
    "AWS::Events::Rule": "the lines of the consumer each rule feeds",
    "AWS::Lambda::EventSourceMapping": "the SQS requests of the queue it drains",
    "AWS::Lambda::Function": "requests and GB-seconds",
    "AWS::Logs::LogGroup": "log ingestion and storage",
    "AWS::Events::Endpoint": "the events its replication copies to the other region's bus",
    "AWS::Pipes::Pipe": "pipe requests",
    "AWS::Route53::HealthCheck": "Route 53 health checks",
    "AWS::SNS::Topic": "SNS publishes and e-mail deliveries",
    "AWS::SQS::Queue": "SQS requests of the work queues (a DLQ holds nothing while all is well)",
    "AWS::StepFunctions::StateMachine": "state transitions (STANDARD) or requests and duration (EXPRESS)",
}
# Types that cost nothing by themselves: their use is priced where it happens.
FREE_TYPES = {
    "AWS::CDK::Metadata": "CDK's own metadata, not deployed as a resource",
    "AWS::EventSchemas::Registry": "a schema registry is free; schema discovery, which is billed, is not enabled",
    "AWS::EventSchemas::Schema": "schemas in a registry are free",
    "AWS::Events::EventBus": "a custom bus is free; its events are priced as events published",
    "AWS::IAM::Policy": "IAM is free",
    "AWS::IAM::Role": "IAM is free",
    "AWS::Lambda::LayerVersion": "layers count towards Lambda's free 75 GB of code storage",
    "AWS::Lambda::Permission": "a resource policy is free",
    "AWS::Logs::ResourcePolicy": "a policy is free",
    "AWS::SNS::Subscription": "a subscription is free; its deliveries are priced with the topic",
    "AWS::SNS::TopicPolicy": "a policy is free",
    "AWS::SQS::QueuePolicy": "a policy is free",
    "Custom::AWS": "a custom resource calls AWS once per deploy (the replica's stream lookup)",
    "AWS::XRay::SamplingRule": "a sampling rule is free; the traces it keeps are priced",
}


class UnpricedResources(Exception):
    """The templates hold something the model does not price: each line names it and what to do."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} resource(s) the cost model does not price (docs/changing.md, 'Add a consumer'):\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )


def unknown_types(resource_types: dict[str, list[str]]) -> list[str]:
    """`resource_types`: type -> the paths of its resources."""
    return [
        f"{kind} ({', '.join(sorted(paths)[:3])}): add it to PRICED_TYPES with its line, or to FREE_TYPES with why"
        for kind, paths in sorted(resource_types.items())
        if kind not in PRICED_TYPES and kind not in FREE_TYPES
    ]


def unpriced_by_name(kind: str, paths: Iterable[str], priced: set[str]) -> list[str]:
    """The resources of one kind whose construct id no line of the model named as priced."""
    return [
        f"{kind} {path}: no line of devtools/cost prices it; add one and record its id in bill.priced"
        for path in sorted(paths)
        if construct_id(path) not in priced
    ]


def construct_id(path: str) -> str:
    """`Orders-dev-Workflows/OrderCreatedRule/Resource` -> `OrderCreatedRule`."""
    parts = path.removesuffix("/Resource").split("/")
    return parts[-1]
