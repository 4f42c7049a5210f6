"""Data: the single table, the source of truth whose stream feeds the event fabric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from lambdas.shared.entities import CUSTOMER
from lambdas.shared.table_keys import BY_CUSTOMER, OPEN_ORDERS, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, IndexKeys
from stacks.names import Output

# Indexes the app no longer defines, as they were, for an environment deployed with them: a global table takes one
# GSI created or deleted per update, so an index that replaces another is added in one deploy (`keepRetiredIndexes`
# names the old one) and the old one is dropped by the next (README, "Deploy").
RETIRED_INDEXES = {
    # Replaced by ByCustomer, the same keys projecting KEYS_ONLY (docs/decisions.md 31).
    "GSI1": IndexKeys(name="GSI1", partition_key=BY_CUSTOMER.partition_key, sort_key=BY_CUSTOMER.sort_key),
}


class DataStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retain_data: bool,
        replica_region: str | None = None,
        table_name: str | None = None,
        kept_retired_indexes: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        """`replica_region`: the standby region, where the table gets a replica (with its own stream); the table then
        needs a `table_name` the standby's stacks can find it by. `kept_retired_indexes`: names of RETIRED_INDEXES the
        deployed table still has and this deploy keeps."""
        super().__init__(scope, construct_id, **kwargs)
        point_in_time_recovery = dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)
        replicas = (
            [
                dynamodb.ReplicaTableProps(
                    region=replica_region,
                    point_in_time_recovery_specification=point_in_time_recovery,
                    deletion_protection=True,
                )
            ]
            if replica_region
            else None
        )
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=table_name,
            partition_key=dynamodb.Attribute(name=PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            global_secondary_indexes=[
                _index(BY_CUSTOMER, dynamodb.ProjectionType.KEYS_ONLY),
                # Sparse: only orders not yet settled have its keys (lambdas/shared/table_keys.py). The sweeper reads
                # the keys and the correlation id, which never changes, so a status update writes nothing to it.
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=OPEN_ORDERS.name,
                    partition_key=dynamodb.Attribute(
                        name=OPEN_ORDERS.partition_key, type=dynamodb.AttributeType.STRING
                    ),
                    sort_key=dynamodb.Attribute(name=OPEN_ORDERS.sort_key, type=dynamodb.AttributeType.STRING),
                    projection_type=dynamodb.ProjectionType.INCLUDE,
                    non_key_attributes=["correlationId"],
                ),
                *(_index(RETIRED_INDEXES[name], dynamodb.ProjectionType.ALL) for name in kept_retired_indexes),
            ],
            time_to_live_attribute=TTL_ATTRIBUTE,
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            point_in_time_recovery_specification=point_in_time_recovery,
            deletion_protection=retain_data,
            replicas=replicas,
            removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
            billing=dynamodb.Billing.on_demand(),
        )
        CfnOutput(self, Output.TABLE_NAME, value=self.table.table_name)
        CfnOutput(self, Output.TABLE_ARN, value=self.table.table_arn)
        CfnOutput(self, Output.TABLE_STREAM_ARN, value=self.table.table_stream_arn or "")

    def grant_read_personal_data(self, grantee: iam.IGrantable) -> iam.Grant:
        """The one way to read a personal field (lambdas/shared/personal_data.py): GetItem of customers' items only.

        Events never carry a customer's name or e-mail; a consumer that needs them (a mailer, say) reads the
        customer's item by its key. `dynamodb:LeadingKeys` is the item's partition key: `ForAllValues:StringLike`
        keeps every key of the request to `CUSTOMER#...`, and the `Null` check refuses a request without the key,
        for which ForAllValues would hold (IAM User Guide, "Single-valued vs. multivalued context keys";
        DynamoDB developer guide, "Using IAM policy conditions for fine-grained access control")."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["dynamodb:GetItem", "dynamodb:BatchGetItem"],
            resource_arns=[self.table.table_arn],
            conditions={
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{CUSTOMER.key_prefix}*"]},
                "Null": {"dynamodb:LeadingKeys": "false"},
            },
        )


def _index(keys: IndexKeys, projection: dynamodb.ProjectionType) -> dynamodb.GlobalSecondaryIndexPropsV2:
    return dynamodb.GlobalSecondaryIndexPropsV2(
        index_name=keys.name,
        partition_key=dynamodb.Attribute(name=keys.partition_key, type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name=keys.sort_key, type=dynamodb.AttributeType.STRING),
        projection_type=projection,
    )
