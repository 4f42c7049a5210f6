"""What every operator command shares: the environment from cdk.json, an AWS session in its region, and one line
for each way a command meets AWS unprepared (no region, no credentials, a stack or table that is not there)."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from stacks.config import ENVIRONMENTS_CONTEXT_KEY, ConfigError, EnvironmentConfig
from stacks.config_loading import load_environment_config, read_cdk_json

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


class OperatorError(Exception):
    """What went wrong and what to do, in one line."""


def environment(env_name: str) -> EnvironmentConfig:
    try:
        context = read_cdk_json(CDK_JSON).get("context", {})
        return load_environment_config(context.get(ENVIRONMENTS_CONTEXT_KEY), env_name, environ={})
    except ConfigError as error:
        raise OperatorError(str(error).replace("\n", "; ")) from None


def session(config: EnvironmentConfig) -> boto3.session.Session:
    """Credentials from the usual chain (AWS_PROFILE, SSO, ...); the region from cdk.json unless AWS_REGION says."""
    return boto3.session.Session(region_name=boto3.session.Session().region_name or config.region)


def explained(error: Exception, env_name: str) -> str:
    """One line for an error a command met talking to AWS."""
    if isinstance(error, NoCredentialsError):
        return (f"no AWS credentials for environment '{env_name}': set AWS_PROFILE (or run `aws sso login`, or "
                f"export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")  # fmt: skip
    if isinstance(error, NoRegionError):
        return f"no AWS region for environment '{env_name}': set its region in cdk.json, or AWS_REGION"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", str(error))
        if "does not exist" in message or code == "ResourceNotFoundException":
            return f"{message}: is environment '{env_name}' deployed in this account and region?"
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
            return f"the AWS credentials were refused ({code}): refresh them (e.g. `aws sso login`)"
        return f"AWS refused the request ({code}): {message}"
    return f"{type(error).__name__}: {error}"


def run(command: Callable[[], int], env_name: str, debug: bool, err: TextIO | None = None) -> int:
    """Run a command; anything it meets becomes one line and exit status 1 (`--debug` adds the traceback)."""
    err = err or sys.stderr
    try:
        return command()
    except BrokenPipeError:
        stop_writing()
        return 0
    except (OperatorError, BotoCoreError, ClientError) as error:
        if debug:
            traceback.print_exception(error, file=err)
        message = str(error) if isinstance(error, OperatorError) else explained(error, env_name)
    print(f"error: {message}", file=err)
    return 1


def stop_writing() -> None:
    """The reader of our output went away (`| head`): point stdout at /dev/null so that nothing more is written, and
    no traceback at exit either (Python's `signal` docs, "Note on SIGPIPE")."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def client_factory(config: EnvironmentConfig, **options: Any) -> Callable[[str], Any]:
    aws = session(config)
    return lambda service: aws.client(service, **options)


Ask = Callable[[str], str]  # asks the operator a question, returns the answer (`input`, or a test's)
ToolCommand = Callable[[argparse.Namespace, TextIO, Ask], int]


def tool_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """An operator tool's parser with the options every tool of this kind takes: `--env` (dev by default: these
    tools read a deployed environment's stacks) and `--debug`."""
    cli = argparse.ArgumentParser(prog=prog, description=description,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    cli.add_argument("--env", default="dev", help="environment whose stacks to read (default: dev)")
    cli.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    return cli


def run_tool(cli: argparse.ArgumentParser, command: ToolCommand, argv: Sequence[str] | None, *, out: TextIO,
             err: TextIO, ask: Ask) -> int:  # fmt: skip
    """Parses `argv` and runs `command` through `run`: anything it meets is one line and exit status 1."""
    args = cli.parse_args(argv)
    return run(lambda: command(args, out, ask), args.env, args.debug, err)
