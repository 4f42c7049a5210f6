"""Data, in the standby region: the global table's replica there, as the standby's stacks use it.

The primary Data stack owns the table and its replicas (one `AWS::DynamoDB::GlobalTable`); this stack creates no
table. It reads the replica's name from the primary stack (a cross-region reference, `Fn::GetStackOutput`) and its
stream's ARN from DynamoDB in this region, since no CloudFormation attribute gives another region's replica stream
(`TableV2.replica()` knows only `<table ARN>/stream/*`, which a pipe cannot read from).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.building_blocks.environment_defaults import EnvironmentDefaults
from stacks.building_blocks.nag import acknowledge_custom_resource_provider
from stacks.names import Output


class ReplicaDataStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        primary_table: dynamodb.ITableV2,
        defaults: EnvironmentDefaults,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # The provider function logs into a group with the environment's retention, and its role writes only there
        # (CDK would otherwise attach AWSLambdaBasicExecutionRole, which may write to any log group).
        lookup_logs = defaults.log_group(self, "ReplicaStreamLookupLogs")
        lookup_role = iam.Role(self, "ReplicaStreamLookupRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        lookup_logs.grant_write(lookup_role)
        table_name = primary_table.table_name  # a replica has its table's name
        replica_arn = self.format_arn(service="dynamodb", resource="table", resource_name=table_name)
        stream = cr.AwsCustomResource(
            self,
            "ReplicaStream",
            # DescribeTable when the stack is created (and when these parameters change): a stream ARN changes only if
            # the stream is disabled and enabled again, which a pipe does not survive anyway (the Pipes guide's
            # "DynamoDB stream as a source" page).
            on_update=cr.AwsSdkCall(
                service="DynamoDB",
                action="describeTable",
                parameters={"TableName": table_name},
                physical_resource_id=cr.PhysicalResourceId.of(f"{table_name}-replica-stream"),
                output_paths=["Table.LatestStreamArn"],
            ),
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[replica_arn]),
            install_latest_aws_sdk=False,
            log_group=lookup_logs,
            role=lookup_role,
        )
        acknowledge_custom_resource_provider(self, "reads the replica's stream ARN (DescribeTable) at deploy time")
        self.table = dynamodb.TableV2.from_table_attributes(
            self,
            "Table",
            table_name=table_name,
            table_stream_arn=stream.get_response_field("Table.LatestStreamArn"),
            grant_index_permissions=True,
        )
        CfnOutput(self, Output.TABLE_NAME, value=self.table.table_name)
        CfnOutput(self, Output.TABLE_ARN, value=self.table.table_arn)
        CfnOutput(self, Output.TABLE_STREAM_ARN, value=self.table.table_stream_arn or "")
