"""The Data stack: keys, index, TTL, stream and PITR everywhere; data protection only where configured."""

from __future__ import annotations

from typing import get_args

import pytest
from aws_cdk import App

from lambdas.shared.table_keys import BY_CUSTOMER, OPEN_ORDERS, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from stacks.config import RetiredIndex
from stacks.data_stack import RETIRED_INDEXES
from stacks.names import table_name
from stacks.orders_app import build_orders_app
from tests.support.synth import ENVIRONMENTS, cdk_json_context, environment_config, synthesize
from tests.support.templates import only_resource, resources_of_type


def table(env_name: str) -> dict:  # type: ignore[type-arg]
    return only_resource(synthesize(env_name).template("Data"), "AWS::DynamoDB::GlobalTable")


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_single_table_keys_index_ttl_and_stream(env_name: str) -> None:
    properties = table(env_name)["Properties"]
    assert properties["KeySchema"] == [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]
    assert {d["AttributeName"]: d["AttributeType"] for d in properties["AttributeDefinitions"]} == {
        "pk": "S", "sk": "S", "gsi1pk": "S", "gsi1sk": "S", "openShard": "S", "openSince": "S",
    }  # fmt: skip
    [index, open_orders] = properties["GlobalSecondaryIndexes"]
    assert open_orders == {
        "IndexName": OPEN_ORDERS.name,
        "KeySchema": [
            {"AttributeName": "openShard", "KeyType": "HASH"},
            {"AttributeName": "openSince", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["correlationId"]},
    }
    assert index == {
        "IndexName": BY_CUSTOMER.name,
        "KeySchema": [
            {"AttributeName": "gsi1pk", "KeyType": "HASH"},
            {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
        ],
        # Keys only: an order's status writes change neither key, so they write nothing to the index.
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }
    assert properties["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    for replica in properties["Replicas"]:
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_one_replica_per_region_of_the_environment(env_name: str) -> None:
    """The standby region's replica is in the primary Data stack's global table; its name is fixed only then."""
    config = synthesize(env_name).config
    properties = table(env_name)["Properties"]
    assert {replica["Region"] for replica in properties["Replicas"]} == set(config.regions)
    assert properties.get("TableName") == (table_name(env_name) if config.secondary_region else None)


@pytest.mark.parametrize(("env_name", "protected"), [("dev", False), ("staging", True), ("prod", True)])
def test_data_protection_per_environment(env_name: str, protected: bool) -> None:
    resource = table(env_name)
    for replica in resource["Properties"]["Replicas"]:
        # a standby region's replica is always protected: deleting it would lose the failover
        is_standby = replica["Region"] != synthesize(env_name).config.region
        assert replica["DeletionProtectionEnabled"] is (protected or is_standby)
    expected_policy = "Retain" if protected else "Delete"
    assert resource["DeletionPolicy"] == expected_policy
    assert resource["UpdateReplacePolicy"] == expected_policy


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_outputs_name_arn_and_stream(env_name: str) -> None:
    template = synthesize(env_name).template("Data")
    [table_id] = resources_of_type(template, "AWS::DynamoDB::GlobalTable")
    assert template["Outputs"]["TableName"]["Value"] == {"Ref": table_id}
    assert template["Outputs"]["TableArn"]["Value"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert template["Outputs"]["TableStreamArn"]["Value"] == {"Fn::GetAtt": [table_id, "StreamArn"]}


def test_a_retired_index_is_kept_for_the_deploy_that_adds_its_replacement() -> None:
    """An environment deployed with GSI1 adds ByCustomer first (one index created per global-table update), then
    drops GSI1 in its next deploy; the config names only indexes the Data stack knows."""
    config = environment_config("staging").model_copy(update={"keep_retired_indexes": ["GSI1"]})
    app = App(context={**cdk_json_context(), "env": "staging", "aws:cdk:bundling-stacks": []})
    orders = build_orders_app(app, config)
    template = app.synth().get_stack_artifact(orders.primary.data.artifact_id).template
    indexes = only_resource(template, "AWS::DynamoDB::GlobalTable")["Properties"]["GlobalSecondaryIndexes"]
    assert [(i["IndexName"], i["Projection"]["ProjectionType"]) for i in indexes] == [
        (BY_CUSTOMER.name, "KEYS_ONLY"), (OPEN_ORDERS.name, "INCLUDE"), ("GSI1", "ALL")
    ]  # fmt: skip
    assert set(get_args(RetiredIndex)) == set(RETIRED_INDEXES)
