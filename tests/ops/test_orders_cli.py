"""`orders`: every tool under one command; help without credentials; what a tool would meet unprepared (an unknown
environment, no region, no credentials) is one line and exit status 1, for every tool that talks to AWS."""

from __future__ import annotations

import io
import os
import pkgutil
from pathlib import Path

import pytest

import ops
from ops import aws
from orders_cli import main as orders
from orders_cli.tools import TOOLS
from stacks.config import EnvironmentConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A minimal line for each tool, past its own argument parsing, so that the checks before it are what is tested.
ARGUMENTS = {
    "smoke": [],
    "load": ["--orders", "1"],
    "orders": ["show", "o-1"],
    "event-store": ["order", "o-1"],
    "dlq": ["list"],
    "backfill": ["--to", "EventStore", "--dry-run"],
    "privacy": ["export", "c-1"],
    "failover": ["status"],
    "preflight": [],
    "cost": [],
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = orders.main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_the_help_lists_every_operator_tool_of_the_tree() -> None:
    """Derived from the tree: an ops package with a command line (a `cli.py` or `__main__.py`) is a tool."""
    tools_in_tree = {
        name for _, name, is_package in pkgutil.iter_modules(ops.__path__)
        if is_package and any((PROJECT_ROOT / "ops" / name / f).exists() for f in ("cli.py", "__main__.py"))
    } | {"preflight"}  # fmt: skip
    listed = {tool.module.split(".")[1] for tool in TOOLS.values() if tool.module.startswith("ops.")}
    assert listed == tools_in_tree
    status, out, _ = run("--help")
    assert status == 0
    for name, tool in TOOLS.items():
        assert f"  {name}" in out
        assert tool.summary in out
    assert "exit status:" in out


@pytest.mark.parametrize("name", list(TOOLS))
def test_each_tools_help_works_without_credentials(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(SystemExit) as exited:
        orders.main([name, "--help"])
    assert exited.value.code == 0
    assert "usage:" in capsys.readouterr().out


def _one_line_error(status: int, err: str) -> str:
    assert status == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("name", list(TOOLS))
def test_an_unknown_environment_is_one_line_and_exit_1(name: str) -> None:
    line = _one_line_error(*run(name, "--env", "nope", *ARGUMENTS[name])[::2])
    assert "unknown environment 'nope'" in line


@pytest.mark.parametrize("name", [n for n, t in TOOLS.items() if t.default_env is None])
def test_a_tool_that_needs_an_environment_says_so(name: str) -> None:
    line = _one_line_error(*run(name, *ARGUMENTS[name])[::2])
    assert "needs --env" in line


@pytest.mark.parametrize("name", [n for n, t in TOOLS.items() if t.uses_aws])
def test_no_credentials_is_one_line_and_exit_1(name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    line = _one_line_error(*run(name, "--env", "dev", *ARGUMENTS[name])[::2])
    assert "no AWS credentials for environment 'dev'" in line


@pytest.mark.parametrize("name", [n for n, t in TOOLS.items() if t.uses_aws])
def test_no_region_is_one_line_and_exit_1(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def without_region(env_name: str) -> EnvironmentConfig:
        return original(env_name).model_copy(update={"region": None})

    original = aws.environment
    monkeypatch.setattr(aws, "environment", without_region)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    line = _one_line_error(*run(name, "--env", "dev", *ARGUMENTS[name])[::2])
    assert "no AWS region for environment 'dev'" in line


def test_region_and_env_may_follow_the_tools_name(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def dlq_main(argv: list[str]) -> int:
        seen.append(list(argv))
        return 0

    monkeypatch.setattr("ops.dlq.cli.main", dlq_main)
    monkeypatch.setenv("AWS_REGION", "restored-after-the-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "restored-after-the-test")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    assert run("dlq", "list", "--env", "prod", "--region", "eu-central-1")[0] == 0
    assert seen == [["--env", "prod", "list"]]
    assert os.environ["AWS_REGION"] == "eu-central-1"


def test_an_unknown_tool_is_a_usage_error() -> None:
    status, _, err = run("nope")
    assert status == 2
    assert "no tool 'nope'" in err
