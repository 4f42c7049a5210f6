"""`orders [--env ENV] [--region REGION] [--debug] <tool> [its arguments]`: every operator tool under one command.

`orders --help` lists the tools; `orders <tool> --help` is the tool's own help (no credentials needed). `--env`,
`--region` and `--debug` may come before or after the tool's name. Each tool is also `python -m <its module>`.

Before a tool that talks to AWS runs, what it would meet unprepared is one line and exit status 1: an environment
cdk.json does not have, no region, no credentials. A broken pipe (`orders dlq list | head`) ends quietly.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from orders_cli.tools import TOOLS, Tool

PROG = "orders"
SUMMARY = "The operator's tools for the orders app, one command (each is also `python -m <its module>`)."
EXIT_CODES = """exit status:
  0  done (a check passed)
  1  an error, in one line (--debug adds the traceback), or a check that failed (smoke, load)
  2  the command line itself is wrong (usage)"""
GLOBAL_OPTIONS = """options (before or after the tool's name):
  --env ENV        the environment in cdk.json (default: the tool's own; smoke and load need it)
  --region REGION  the AWS region (default: AWS_REGION, else the environment's in cdk.json)
  --debug          show the traceback of an error
  -h, --help       this help; `orders <tool> --help` for a tool's"""


def usage() -> str:
    width = max(map(len, TOOLS))
    lines = [f"  {name:<{width}}  {tool.summary}" for name, tool in TOOLS.items()]
    return "\n".join(
        [f"usage: {PROG} [--env ENV] [--region REGION] [--debug] <tool> [arguments]", "", SUMMARY,
         "", "tools:", *lines, "", GLOBAL_OPTIONS, "", EXIT_CODES]
    )  # fmt: skip


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return _dispatch(list(sys.argv[1:] if argv is None else argv), out, err)
    except BrokenPipeError:  # the reader went away (`| head`)
        from ops.aws import stop_writing  # noqa: PLC0415 (boto3: only on this path, not for --help)

        stop_writing()
        return 0


def _dispatch(argv: list[str], out: TextIO, err: TextIO) -> int:
    env, region, debug, rest = _global_options(argv)
    if not rest or rest[0] in ("-h", "--help"):
        print(usage(), file=out)
        return 0 if rest or argv else 2
    name, tool_argv = rest[0], rest[1:]
    tool = TOOLS.get(name)
    if tool is None:
        print(f"error: no tool {name!r}; the tools are: {', '.join(TOOLS)} (orders --help)", file=err)
        return 2
    if region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    wants_help = any(a in ("-h", "--help") for a in tool_argv)
    env = env or tool.default_env
    if not wants_help:
        if env is None:
            print(f"error: `orders {name}` needs --env <environment> (one of cdk.json's environments)", file=err)
            return 1
        if problem := _unprepared(tool, env):
            print(f"error: {problem}", file=err)
            return 1
    tool_main = importlib.import_module(tool.module).main
    prefix = ["--env", env] if env and not wants_help else []
    return int(tool_main([*prefix, *(["--debug"] if debug else []), *tool_argv]) or 0)


def _global_options(argv: list[str]) -> tuple[str | None, str | None, bool, list[str]]:
    """(--env, --region, --debug, what is left): taken from anywhere on the line, so `orders dlq list --env prod`
    and `orders --env prod dlq list` are the same."""
    env = region = None
    debug, rest, index = False, [], 0
    while index < len(argv):
        arg = argv[index]
        name, equals, value = arg.partition("=")
        if name in ("--env", "--region"):
            if not equals:
                index += 1
                value = argv[index] if index < len(argv) else ""
            if name == "--env":
                env = value
            else:
                region = value
        elif arg == "--debug":
            debug = True
        else:
            rest.append(arg)
        index += 1
    return env, region, debug, rest


def _unprepared(tool: Tool, env_name: str) -> str | None:
    """What a tool that talks to AWS would meet first, in one line; None when it can start."""
    from botocore.exceptions import NoCredentialsError, NoRegionError  # noqa: PLC0415 (not for --help)

    from ops.aws import OperatorError, environment, explained, session  # noqa: PLC0415 (boto3 and pydantic: idem)

    try:
        config = environment(env_name)
    except OperatorError as error:
        return str(error)
    if not tool.uses_aws:
        return None
    aws = session(config)
    if not aws.region_name:
        return f"{explained(NoRegionError(), env_name)} (or --region)"
    if aws.get_credentials() is None:
        return explained(NoCredentialsError(), env_name)
    return None
