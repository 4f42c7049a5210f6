"""Will AWS let each call between the app's services through? The offline check of devtools.authorization over the
synthesized app of dev and prod (both regions) and their delivery roles: every edge allowed, every probe denied,
every alarm, rule, pipe, function, state machine and endpoint covered, and the check failing when a statement that
makes a call work is taken away (the three defects it was written for among them)."""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from aws_cdk import App

from devtools.authorization.check import Report, check
from devtools.authorization.cli import main
from devtools.synth import EVALUATED_REPOSITORY, synthesized_delivery_access
from stacks.orders_app import build_orders_app
from tests.support.synth import PROJECT_ROOT, cdk_json_context, synthesize

pytestmark = pytest.mark.xdist_group("synth")
CHECKED = ("dev", "prod")
BOOTSTRAP_TEMPLATE = PROJECT_ROOT / "node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"
Edit = Callable[[dict[str, dict[str, Any]]], None]  # templates by file name, edited in place


def _temporary(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.cache
def delivery_assembly(env_name: str) -> Path:
    outdir = _temporary(f"cdk-delivery-{env_name}-")
    synthesized_delivery_access(synthesize(env_name).config, str(outdir))
    return outdir


@functools.cache
def report(env_name: str) -> Report:
    return check(env_name, synthesize(env_name).assembly_dir, delivery_assembly(env_name), EVALUATED_REPOSITORY)


@functools.cache
def replicating_prod_report() -> Report:
    """prod with its global endpoint replicating (`eventReplication` true, the default), which prod itself is not."""
    outdir = _temporary("cdk-replicating-")
    config = synthesize("prod").config.model_copy(update={"event_replication": True})
    app = App(outdir=str(outdir), context={**cdk_json_context(), "env": "prod", "aws:cdk:bundling-stacks": []})
    build_orders_app(app, config)
    app.synth()
    return check("prod", outdir, delivery_assembly("prod"), EVALUATED_REPOSITORY)


SUBSCRIBER = "210987654321"


@functools.cache
def subscribed_staging_report() -> Report:
    """staging with a team's account listed in `crossAccountSubscribers`."""
    outdir = _temporary("cdk-subscribed-")
    config = synthesize("staging").config.model_copy(update={"cross_account_subscribers": [SUBSCRIBER]})
    app = App(outdir=str(outdir), context={**cdk_json_context(), "env": "staging", "aws:cdk:bundling-stacks": []})
    build_orders_app(app, config)
    app.synth()
    return check("staging", outdir, None, EVALUATED_REPOSITORY)


def mutated(source: Path, edit: Edit) -> Path:
    """A copy of a cloud assembly whose templates `edit` changed."""
    copy = _temporary("cdk-mutated-")
    shutil.copytree(source, copy, dirs_exist_ok=True)
    templates = {path.name: json.loads(path.read_text()) for path in copy.glob("*.template.json")}
    edit(templates)
    for name, template in templates.items():
        (copy / name).write_text(json.dumps(template))
    return copy


def wrong_kinds(env_name: str, *, app: Edit | None = None, delivery: Edit | None = None) -> dict[str, int]:
    app_dir = synthesize(env_name).assembly_dir
    delivery_dir = delivery_assembly(env_name)
    result = check(
        env_name,
        mutated(app_dir, app) if app else app_dir,
        mutated(delivery_dir, delivery) if delivery else delivery_dir,
        EVALUATED_REPOSITORY,
    )
    kinds: dict[str, int] = {}
    for outcome in result.failures:
        kinds[outcome.call.kind] = kinds.get(outcome.call.kind, 0) + 1
    return kinds


def resources(templates: dict[str, dict[str, Any]], resource_type: str) -> list[dict[str, Any]]:
    return [r for t in templates.values() for r in t["Resources"].values() if r["Type"] == resource_type]


@pytest.mark.parametrize("env_name", CHECKED)
def test_every_call_between_services_is_allowed_and_every_probe_denied(env_name: str) -> None:
    failures = [f"{o.call.describe()}: {o.reason}" for o in report(env_name).failures]
    assert failures == []


@pytest.mark.parametrize("env_name", CHECKED)
def test_every_caller_in_the_templates_is_checked(env_name: str) -> None:
    """The edges come from the templates: each alarm, rule, pipe, function, state machine and endpoint of every
    region calls something, and the delivery roles call every bootstrap role of every region."""
    callers = {o.call.caller for o in report(env_name).outcomes}
    synthesized = synthesize(env_name)
    for template in synthesized.templates.values():
        for resource in template["Resources"].values():
            if resource["Type"] in ("AWS::CloudWatch::Alarm", "AWS::Events::Rule", "AWS::Pipes::Pipe",
                                    "AWS::Lambda::Function", "AWS::StepFunctions::StateMachine",
                                    "AWS::Events::Endpoint"):  # fmt: skip
                path = resource["Metadata"]["aws:cdk:path"].removesuffix("/Resource")
                if resource["Properties"].get("ReplicationConfig", {}).get("State") == "DISABLED":
                    continue  # an endpoint that does not replicate calls nothing
                assert path in callers, f"{path} makes no evaluated call"
    regions = {
        re.sub(r".*-\d{12}-", "", o.call.resource)
        for o in report(env_name).outcomes
        if o.call.kind == "deploy role -> bootstrap role"
    }
    expected = {synthesized.config.region, synthesized.config.secondary_region} - {None}
    assert regions == expected


def test_prod_has_the_edges_of_both_regions() -> None:
    """Each region's copy of the six stacks has dev's edges; the Failover stack adds its own."""
    failover = [o for o in report("prod").outcomes if o.call.caller.startswith("Orders-prod-Failover/")]
    kinds = report("prod").counts()
    dev = report("dev").counts()
    for kind in ("alarm -> topic", "rule -> target", "pipe -> source", "function -> SDK call", "state machine -> task"):
        own = sum(1 for o in failover if o.call.kind == kind)
        assert kinds[kind] == 2 * dev[kind] + own, kind
    assert "endpoint -> bus" not in kinds  # prod's endpoint does not replicate (decision 31)


def test_a_replicating_endpoint_is_allowed_to_put_on_both_buses_and_manage_its_rules() -> None:
    result = replicating_prod_report()
    assert [f"{o.call.describe()}: {o.reason}" for o in result.failures] == []
    kinds = result.counts()
    assert (kinds["endpoint -> role"], kinds["endpoint -> bus"], kinds["endpoint -> managed rule"]) == (1, 2, 8)


def test_a_listed_account_puts_its_own_rules_and_targets_on_the_bus_and_nothing_else() -> None:
    result = subscribed_staging_report()
    assert [f"{o.call.describe()}: {o.reason}" for o in result.failures] == []
    subscribed = sorted((o.call.kind, o.call.action, o.call.expect_allowed) for o in result.outcomes
                        if o.call.kind.startswith("subscriber account"))  # fmt: skip
    assert subscribed == [
        ("subscriber account -> its rule on the bus", "events:PutRule", True),
        ("subscriber account -> its rule on the bus", "events:PutTargets", True),
        ("subscriber account -> its rule on the bus (a rule the app created)", "events:PutRule", False),
        ("subscriber account -> its rule on the bus (a target in the app's account)", "events:PutTargets", False),
        ("subscriber account -> its rule on the bus (an account not listed)", "events:PutRule", False),
        ("subscriber account -> its rule on the bus (another account)", "events:PutRule", False),  # the probes'
        ("subscriber account -> its rule on the bus (another account)", "events:PutTargets", False),
        ("subscriber account -> its rule on the bus (events onto the bus)", "events:PutEvents", False),
    ]
    assert not any(o.call.kind.startswith("subscriber") for o in report("dev").outcomes)  # none listed: no grant


def _drop_statements(resource_type: str, predicate: Callable[[dict[str, Any]], bool]) -> Edit:
    def edit(templates: dict[str, dict[str, Any]]) -> None:
        for resource in resources(templates, resource_type):
            document = resource["Properties"]["PolicyDocument"]
            document["Statement"] = [s for s in document["Statement"] if not predicate(s)]

    return edit


def test_an_alarm_topic_policy_without_cloudwatch_fails_every_alarm() -> None:
    """As main had it: enforce_ssl's policy alone, which replaces SNS's default one."""
    alarms = sum(
        len(a["Properties"].get("AlarmActions", [])) + len(a["Properties"].get("OKActions", []))
        for t in synthesize("prod").templates.values()
        for a in t["Resources"].values()
        if a["Type"] == "AWS::CloudWatch::Alarm"
    )
    edit = _drop_statements("AWS::SNS::TopicPolicy", lambda s: s.get("Effect") == "Allow")
    assert wrong_kinds("prod", app=edit) == {"alarm -> topic": alarms}


def _deploy_role_regions(keep: str) -> Edit:
    """The deploy role may assume only `keep`'s bootstrap roles (main built them from the stack's region only)."""

    def edit(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::IAM::Policy"):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if statement["Action"] == "sts:AssumeRole":
                    statement["Resource"] = [r for r in statement["Resource"] if keep in json.dumps(r)]

    return edit


def test_a_deploy_role_of_the_primary_region_only_cannot_deploy_the_standby() -> None:
    wrong = wrong_kinds("prod", delivery=_deploy_role_regions("eu-west-1"))
    standby_roles = [
        o
        for o in report("prod").outcomes
        if o.call.kind == "deploy role -> bootstrap role" and "eu-central-1" in o.call.resource
    ]
    assert wrong == {"deploy role -> bootstrap role": len(standby_roles)}
    assert len(standby_roles) >= 3  # deploy, file publishing, lookup


def test_a_diff_role_that_may_assume_the_lookup_role_is_refused() -> None:
    """As main had it: pull requests could assume the lookup role, which has ReadOnlyAccess to the data."""

    def lookup(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::IAM::Policy"):
            if "DiffRole" in json.dumps(policy["Properties"]["Roles"]):
                policy["Properties"]["PolicyDocument"]["Statement"].append(
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": {"Fn::Sub":
                     "arn:aws:iam::${AWS::AccountId}:role/cdk-hnb659fds-lookup-role-${AWS::AccountId}-eu-west-1"}}
                )  # fmt: skip

    assert wrong_kinds("dev", delivery=lookup) == {"diff role -> bootstrap role": 1}


def test_a_trust_policy_without_conditions_lets_another_accounts_rules_and_pipes_in() -> None:
    def unconditional(templates: dict[str, dict[str, Any]]) -> None:
        for role in resources(templates, "AWS::IAM::Role"):
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
                if statement["Principal"].get("Service") in ("events.amazonaws.com", "pipes.amazonaws.com"):
                    statement.pop("Condition", None)

    def trusting(service: str) -> int:
        return sum(
            1
            for role in resources(synthesize("dev").templates, "AWS::IAM::Role")
            for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
            if statement["Principal"].get("Service") == service
        )

    wrong = wrong_kinds("dev", app=unconditional)
    assert wrong == {
        "rule -> target role (another account's source)": trusting("events.amazonaws.com"),
        "pipe -> role (another account's source)": trusting("pipes.amazonaws.com"),
    }


def test_a_log_group_policy_without_the_rule_lets_another_accounts_rules_write() -> None:
    """As main had it: EventBridge allowed to write, on behalf of any rule."""

    def unconditional(templates: dict[str, dict[str, Any]]) -> None:
        for policy in resources(templates, "AWS::Logs::ResourcePolicy"):
            parts = policy["Properties"]["PolicyDocument"]["Fn::Join"][1]
            groups = {
                i for t in templates.values() for i, r in t["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup"
            }
            [log_group] = [p for p in parts if isinstance(p, dict) and p.get("Fn::GetAtt", [""])[0] in groups][:1]
            statement = ('{"Statement":[{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow",'
                         '"Principal":{"Service":"events.amazonaws.com"},"Resource":"')  # fmt: skip
            policy["Properties"]["PolicyDocument"] = {"Fn::Join": ["", [statement, log_group, '"}]}']]}

    assert wrong_kinds("dev", app=unconditional) == {"rule -> target (another account's source)": 2}


def test_a_queue_policy_without_its_tls_deny_is_found() -> None:
    edit = _drop_statements("AWS::SQS::QueuePolicy", lambda s: s.get("Effect") == "Deny")
    expected: dict[str, int] = {}
    for outcome in report("dev").outcomes:
        if outcome.call.kind.endswith("(without TLS)") and ":sqs:" in outcome.call.resource:
            expected[outcome.call.kind] = expected.get(outcome.call.kind, 0) + 1
    assert wrong_kinds("dev", app=edit) == expected
    assert "pipe -> DLQ (without TLS)" in expected  # a queue whose policy holds nothing but the deny


def test_a_function_role_without_the_grant_its_code_needs_is_found() -> None:
    """intake's code sends rejections to a queue (found by reading lambdas/intake): take the grant away."""
    edit = _drop_statements(
        "AWS::IAM::Policy", lambda s: "sqs:SendMessage" in s.get("Action", []) and "Rejected" in json.dumps(s)
    )
    assert wrong_kinds("dev", app=edit) == {"function -> SDK call": 1}


def test_the_bootstrap_roles_trust_their_own_account_as_the_check_assumes() -> None:
    """devtools.authorization.assembly models each bootstrap role as trusting its account; the pinned CLI's bootstrap
    template must say so."""

    class CloudFormation(yaml.SafeLoader):
        pass

    def tag(loader: yaml.SafeLoader, _: str, node: yaml.Node) -> Any:
        return None

    CloudFormation.add_multi_constructor("!", tag)
    template = yaml.load(BOOTSTRAP_TEMPLATE.read_text(), Loader=CloudFormation)
    for role in ("DeploymentActionRole", "FilePublishingRole", "ImagePublishingRole", "LookupRole"):
        first = template["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
        assert first["Principal"] == {"AWS": {"Ref": "AWS::AccountId"}}, role
        assert first["Action"] == "sts:AssumeRole"
        # Its one condition, where enabled, refuses an external id, which the CLI does not send.
        assert first.get("Condition", {}).get("Fn::If", [None, {"Null": {"sts:ExternalId": "true"}}])[1] == {
            "Null": {"sts:ExternalId": "true"}
        }


def test_the_command_prints_the_counts_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--env", "dev", "--assembly", str(synthesize("dev").assembly_dir)]) == 0
    out = capsys.readouterr().out
    assert f"Orders (dev): {report('dev').edges} calls that must be allowed" in out
    assert out.strip().endswith(f"{len(report('dev').outcomes)} as expected, 0 wrong")


def test_the_command_exits_1_and_names_each_wrong_call(capsys: pytest.CaptureFixture[str]) -> None:
    edit = _drop_statements("AWS::SNS::TopicPolicy", lambda s: s.get("Effect") == "Allow")
    assert main(["--env", "dev", "--assembly", str(mutated(synthesize("dev").assembly_dir, edit))]) == 1
    out = capsys.readouterr().out
    assert out.count("WRONG: alarm -> topic") == len(
        [o for o in report("dev").outcomes if o.call.kind == "alarm -> topic"]
    )
