#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c env=<name>` (default dev) synthesizes every stack of that environment."""

import os
import sys

from aws_cdk import App

from stacks.config import DEFAULT_ENVIRONMENT, ENVIRONMENTS_CONTEXT_KEY, ConfigError
from stacks.config_loading import load_environment_config
from stacks.orders_app import build_orders_app


def main() -> None:
    app = App()
    env_name = app.node.try_get_context("env")
    try:
        config = load_environment_config(
            app.node.try_get_context(ENVIRONMENTS_CONTEXT_KEY),
            DEFAULT_ENVIRONMENT if env_name is None else str(env_name),
            os.environ,
        )
    except ConfigError as error:
        sys.exit(error.report())
    build_orders_app(app, config)
    app.synth()


if __name__ == "__main__":
    main()
