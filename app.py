#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c env=<name>` (default dev) synthesizes every stack of that environment; with
`-c githubRepository=<owner/name>` only that environment's GitHub Actions access (stacks/delivery_access_stack.py)."""

import os
import sys

from aws_cdk import App

from stacks.config import DEFAULT_ENVIRONMENT, ENVIRONMENTS_CONTEXT_KEY, ConfigError
from stacks.config_loading import load_environment_config
from stacks.delivery_access_stack import build_delivery_access
from stacks.orders_app import build_orders_app


def main() -> None:
    app = App()
    env_name = app.node.try_get_context("env")
    repository = app.node.try_get_context("githubRepository")
    try:
        config = load_environment_config(
            app.node.try_get_context(ENVIRONMENTS_CONTEXT_KEY),
            DEFAULT_ENVIRONMENT if env_name is None else str(env_name),
            os.environ,
        )
        if repository:  # `make delivery-access`: this environment's GitHub Actions roles, and nothing else
            existing_provider = bool(app.node.try_get_context("existingOidcProvider"))
            build_delivery_access(app, config, str(repository), existing_provider=existing_provider)
        else:
            build_orders_app(app, config)
    except ConfigError as error:
        sys.exit(error.report())
    app.synth()


if __name__ == "__main__":
    main()
