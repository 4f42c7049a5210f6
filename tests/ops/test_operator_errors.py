"""Every operator command meets AWS unprepared with one line, a non-zero exit and no traceback (unless --debug)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ops import aws
from ops import preflight as preflight_command
from ops.event_store.cli import main as event_store
from tests.support.synth import cdk_json_context


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = event_store(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def no_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


@pytest.fixture
def aws_account(no_default_region: None) -> Iterator[None]:
    with mock_aws():
        yield


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_an_unknown_environment() -> None:
    code, _, err = run("--env", "qa", "aggregate", "Order", "o-1")
    assert code == 1
    assert one_line(err) == (
        "error: unknown environment 'qa' (-c env=...); known environments: dev, local, prod, staging"
    )


@pytest.mark.usefixtures("no_credentials")
def test_missing_credentials() -> None:
    code, _, err = run("--env", "staging", "aggregate", "Order", "o-1")
    assert code == 1
    assert one_line(err).startswith("error: no AWS credentials for environment 'staging': set AWS_PROFILE")


@pytest.mark.usefixtures("no_default_region")
def test_a_null_region_is_refused_by_the_config_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    context = cdk_json_context()
    context["environments"]["dev"]["region"] = None
    cdk_json = tmp_path / "cdk.json"
    cdk_json.write_text(json.dumps({"context": context}))
    monkeypatch.setattr(aws, "CDK_JSON", cdk_json)
    code, _, err = run("aggregate", "Order", "o-1")
    assert code == 1
    assert one_line(err) == (
        "error: cdk.json environment 'dev': setting 'region' is invalid: Input should be a valid string (got null); "
        "e.g. 'eu-west-1'"
    )


@pytest.mark.usefixtures("aws_account")
def test_the_region_comes_from_the_config_and_a_missing_stack_is_named() -> None:
    code, _, err = run("--env", "staging", "range", "--from", "2026-11-22", "--to", "2026-11-23", "--json")
    assert code == 1
    assert one_line(err) == (
        "error: stack Orders-staging-EventStore does not exist in this account and region: deploy it first"
    )


@pytest.mark.usefixtures("aws_account")
def test_a_missing_table() -> None:
    code, _, err = run("--table", "no-such-table", "order", "o-1")
    assert code == 1
    assert one_line(err).endswith("is environment 'dev' deployed in this account and region?")


@pytest.mark.usefixtures("aws_account")
def test_debug_shows_the_traceback_too() -> None:
    _, _, err = run("--debug", "--table", "no-such-table", "order", "o-1")
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("error: ")


@pytest.mark.usefixtures("aws_account")
def test_preflight_refuses_credentials_for_another_account(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = cdk_json_context()
    context["environments"]["prod"]["account"] = "210987654321"
    cdk_json = tmp_path / "cdk.json"
    cdk_json.write_text(json.dumps({"context": context}))
    monkeypatch.setattr(aws, "CDK_JSON", cdk_json)
    assert boto3.client("sts", region_name="eu-west-1").get_caller_identity()["Account"] == "123456789012"
    assert preflight_command.main(["--env", "prod"]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: the AWS credentials are for account 123456789012, but cdk.json pins environment 'prod' to account "
        "210987654321: use credentials for that account"
    )


@pytest.mark.usefixtures("no_credentials")
def test_preflight_without_credentials_names_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight_command.main(["--env", "dev"]) == 1
    assert capsys.readouterr().err.strip().startswith("error: no AWS credentials for environment 'dev'")
