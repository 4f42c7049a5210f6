"""ops.failover against moto: prod's two stream pipes as deployed (the primary's running, the standby's stopped),
moved from one region to the other; a region that does not answer is reported, never fatal to the failover."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from ops.failover import cli
from ops.failover.stream_pipes import with_cutoff
from stacks.building_blocks.stream_pipe import stream_filter_patterns
from stacks.names import bus_name, order_sweeper_schedule_name
from tests.support.events import matches, stream_record, stream_record_names
from tests.support.stream_pipe import the_apps_stream_pipe_parameters
from tests.support.synth import environment_config, synthesize
from tests.support.workflow_harness import create_table_from_template

PROD = environment_config("prod")
PRIMARY, STANDBY = str(PROD.region), str(PROD.secondary_region)
SINCE = "2026-11-23T03:10:00+00:00"


def deploy_region(region: str, running: bool) -> str:
    """The table replica, bus and stream pipe of one region, the pipe with the app's parameters; its name."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    create_table_from_template(dynamodb, synthesize("prod").template("Data"), "orders", stream=True)
    stream_arn = dynamodb.describe_table(TableName="orders")["Table"]["LatestStreamArn"]
    bus = boto3.client("events", region_name=region).create_event_bus(Name=bus_name("prod"))["EventBusArn"]
    boto3.client("events", region_name=region).create_event_bus(Name="someone-elses")
    name = f"stream-pipe-{region}"
    boto3.client("pipes", region_name=region).create_pipe(
        Name=name,
        RoleArn="arn:aws:iam::123456789012:role/pipe",
        Source=stream_arn,
        Target=bus,
        DesiredState="RUNNING" if running else "STOPPED",
        **the_apps_stream_pipe_parameters(table_arn=stream_arn.split("/stream/")[0], env_name="prod"),
    )
    boto3.client("events", region_name=region).put_rule(  # the order sweeper's schedule, enabled with the pipe
        Name=order_sweeper_schedule_name("prod"), ScheduleExpression="rate(5 minutes)",
        State="ENABLED" if running else "DISABLED",
    )  # fmt: skip
    return name


def sweeper_state(region: str) -> str:
    rule = boto3.client("events", region_name=region).describe_rule(Name=order_sweeper_schedule_name("prod"))
    return str(rule["State"])


@pytest.fixture
def regions(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with mock_aws():
        yield {PRIMARY: deploy_region(PRIMARY, running=True), STANDBY: deploy_region(STANDBY, running=False)}


def aws_in(region: str) -> Callable[[str], Any]:
    return lambda service: boto3.client(service, region_name=region)


def down(region: str) -> Callable[[str], Callable[[str], Any]]:
    """Clients for which one region does not answer at all."""

    def unreachable(service: str) -> Any:
        raise EndpointConnectionError(endpoint_url=f"https://{service}.{region}.amazonaws.com")

    return lambda r: unreachable if r == region else aws_in(r)


def run(*argv: str, answer: str = "n", clients: Callable[[str], Callable[[str], Any]] = aws_in) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--env", "prod", *argv], out=out, err=err, ask=lambda _: answer, clients=clients)
    return code, out.getvalue() + err.getvalue()


def pipe(region: str, name: str) -> dict[str, Any]:
    described = boto3.client("pipes", region_name=region).describe_pipe(Name=name)
    described.pop("ResponseMetadata")
    return described  # type: ignore[no-any-return]


def test_status_shows_one_region_publishing(regions: dict[str, str]) -> None:
    code, output = run("status")
    assert code == 0
    assert f"{PRIMARY}: {regions[PRIMARY]} desired RUNNING" in output
    assert f"{STANDBY}: {regions[STANDBY]} desired STOPPED" in output
    assert "WARNING" not in output


def test_failing_over_stops_the_primary_and_starts_the_standby_from_the_cutoff(regions: dict[str, str]) -> None:
    before = pipe(STANDBY, regions[STANDBY])
    code, output = run("publish-from", STANDBY, "--since", SINCE, "--yes")
    assert code == 0, output
    assert pipe(PRIMARY, regions[PRIMARY])["DesiredState"] == "STOPPED"
    after = pipe(STANDBY, regions[STANDBY])
    assert after["DesiredState"] == "RUNNING"
    assert (sweeper_state(PRIMARY), sweeper_state(STANDBY)) == ("DISABLED", "ENABLED")  # the sweeper moves too
    # as deployed (moto drops StartingPosition, which UpdatePipe cannot send and AWS keeps)
    stream_parameters = after["SourceParameters"]["DynamoDBStreamParameters"]
    deployed = {**before["SourceParameters"]["DynamoDBStreamParameters"]}
    assert deployed.pop("StartingPosition") == "TRIM_HORIZON"
    assert stream_parameters == deployed
    patterns = [json.loads(f["Pattern"]) for f in after["SourceParameters"]["FilterCriteria"]["Filters"]]
    assert patterns == [with_cutoff(p, datetime.fromisoformat(SINCE)) for p in stream_filter_patterns()]
    assert '"activeRegion": "eu-central-1"' in output
    code, status = run("status")
    assert code == 0
    assert f"{STANDBY}: {regions[STANDBY]} desired RUNNING" in status
    assert f"publishes changes since {SINCE}" in status.splitlines()[1]


def test_failing_back_replaces_the_cutoff_rather_than_adding_one(regions: dict[str, str]) -> None:
    run("publish-from", STANDBY, "--since", SINCE, "--yes")
    later = "2026-11-23T09:00:00+00:00"
    assert run("publish-from", PRIMARY, "--since", later, "--yes")[0] == 0
    assert pipe(STANDBY, regions[STANDBY])["DesiredState"] == "STOPPED"
    primary = pipe(PRIMARY, regions[PRIMARY])
    patterns = [json.loads(f["Pattern"]) for f in primary["SourceParameters"]["FilterCriteria"]["Filters"]]
    assert patterns == [with_cutoff(p, datetime.fromisoformat(later)) for p in stream_filter_patterns()]


def test_a_primary_that_does_not_answer_still_lets_the_standby_publish(regions: dict[str, str]) -> None:
    code, output = run("publish-from", STANDBY, "--since", SINCE, "--yes", clients=down(PRIMARY))
    assert code == 0
    assert pipe(STANDBY, regions[STANDBY])["DesiredState"] == "RUNNING"
    assert f"{PRIMARY}: could not stop its pipe" in output
    assert f"python -m ops.failover --env prod stop {PRIMARY}" in output
    code, status = run("status", clients=down(PRIMARY))
    assert code == 0
    assert f"{PRIMARY}: unreachable" in status


def test_status_says_it_does_not_know_when_no_region_answers(regions: dict[str, str]) -> None:
    def nothing_answers(region: str) -> Callable[[str], Any]:
        return down(region)(region)

    code, output = run("status", clients=nothing_answers)
    assert code == 1
    assert output.count("unreachable") == 2
    assert "no region could be read, so which one publishes is unknown" in output
    assert "0 regions publish" not in output


def test_status_warns_when_both_regions_publish(regions: dict[str, str]) -> None:
    boto3.client("pipes", region_name=STANDBY).start_pipe(Name=regions[STANDBY])
    code, output = run("status")
    assert code == 1
    assert "WARNING: 2 regions publish; exactly one should" in output


@pytest.mark.parametrize("argv", [("--dry-run",), ()])
def test_a_dry_run_or_a_no_changes_nothing(regions: dict[str, str], argv: tuple[str, ...]) -> None:
    before = {region: copy.deepcopy(pipe(region, name)) for region, name in regions.items()}
    code, output = run("publish-from", STANDBY, "--since", SINCE, *argv, answer="n")
    assert code == (0 if argv else 1)
    assert ("would stop" in output) if argv else ("nothing changed" in output)
    assert {region: pipe(region, name) for region, name in regions.items()} == before


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("publish-from", "us-east-1", "--since", SINCE), "'us-east-1' is not a region of 'prod'"),
        (("publish-from", STANDBY, "--since", "2026-11-23T03:10:00"), "has no time zone"),
        (("publish-from", STANDBY, "--since", "2999-01-01T00:00:00Z"), "is in the future"),
        (("publish-from", STANDBY, "--since", "yesterday"), "not an ISO 8601 time"),
    ],
)
def test_a_mistake_is_one_line_and_changes_nothing(
    regions: dict[str, str], argv: tuple[str, ...], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code, output = run(*argv, "--yes")
    except SystemExit as exit_:  # argparse refuses a bad --since itself
        code, output = int(str(exit_.code)), capsys.readouterr().err
    assert code != 0
    assert expected in output
    assert pipe(STANDBY, regions[STANDBY])["DesiredState"] == "STOPPED"


def test_an_environment_without_a_standby_is_refused() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--env", "dev", "status"], out=out, err=err) == 1
    assert err.getvalue() == "error: environment 'dev' has no secondaryRegion: there is nothing to fail over to\n"


def test_the_cutoff_passes_only_changes_from_then_on() -> None:
    """The patterns the failover sets, evaluated as Pipes evaluates a filter over a stream record."""
    for name in stream_record_names():
        record = stream_record(name)
        changed = datetime.fromtimestamp(record["dynamodb"]["ApproximateCreationDateTime"], tz=UTC)
        passes_the_app = any(matches(p, record) for p in stream_filter_patterns())
        for since, expected in ((changed, passes_the_app), (changed + timedelta(seconds=1), False),
                                (changed - timedelta(hours=1), passes_the_app)):  # fmt: skip
            patterns = [with_cutoff(p, since) for p in stream_filter_patterns()]
            assert any(matches(p, record) for p in patterns) is expected, (name, since)
