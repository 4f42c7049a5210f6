"""`python -m ops.preflight --env <env>`: credentials for the environment's account, before a diff or deploy.

Fails in a second with one line (no credentials, refused credentials, the wrong account for an environment pinned
to one), instead of after a synth with the CDK CLI's "Unable to resolve AWS account to use".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ops.aws import OperatorError, environment, run, session


def check(env_name: str) -> int:
    config = environment(env_name)
    aws = session(config)
    identity = aws.client("sts").get_caller_identity()
    if config.account and identity["Account"] != config.account:
        raise OperatorError(
            f"the AWS credentials are for account {identity['Account']}, but cdk.json pins environment '{env_name}' "
            f"to account {config.account}: use credentials for that account"
        )
    print(f"{env_name}: deploying as {identity['Arn']} to account {identity['Account']}, region {aws.region_name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(prog="python -m ops.preflight", description=__doc__)
    cli.add_argument("--env", required=True)
    cli.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    args = cli.parse_args(argv)
    return run(lambda: check(args.env), args.env, args.debug)


if __name__ == "__main__":
    sys.exit(main())
