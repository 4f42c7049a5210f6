"""Composes every stack of one environment; shared by app.py and the tests so both synthesize the same app."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Stack, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks.config import EnvironmentConfig
from stacks.data_stack import DataStack

APPLICATION_TAG = "orders"


@dataclass(frozen=True)
class OrdersStacks:
    data: DataStack

    def all(self) -> list[Stack]:
        return [self.data]


def stack_name(config: EnvironmentConfig, component: str) -> str:
    return f"Orders-{config.name}-{component}"


def build_orders_app(app: App, config: EnvironmentConfig) -> OrdersStacks:
    env = Environment(account=config.account, region=config.region)
    tags = {"application": APPLICATION_TAG, "environment": config.name}

    data = DataStack(
        app,
        stack_name(config, "Data"),
        env=env,
        tags=tags,
        description=f"Orders ({config.name}): the single table and its stream, the source of truth",
        retain_data=config.retain_data,
    )
    stacks = OrdersStacks(data=data)

    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    return stacks
