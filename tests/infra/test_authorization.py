"""Will AWS let each call between the app's services through? The offline check of devtools.authorization over the
synthesized app of dev and prod (both regions) and their delivery roles: every edge allowed, every probe denied,
every alarm, rule, pipe, function, state machine and endpoint covered; the bootstrap roles as the check models
them; and the command. Variants of the app: test_authorization_variants.py; the check failing when a statement that
makes a call work is taken away: test_authorization_mutations.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from devtools.authorization.cli import main
from tests.support.authorization import drop_statements, mutated, report
from tests.support.synth import PROJECT_ROOT, synthesize

pytestmark = pytest.mark.xdist_group("synth")
CHECKED = ("dev", "prod")
BOOTSTRAP_TEMPLATE = PROJECT_ROOT / "node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"


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
    edit = drop_statements("AWS::SNS::TopicPolicy", lambda s: s.get("Effect") == "Allow")
    assert main(["--env", "dev", "--assembly", str(mutated(synthesize("dev").assembly_dir, edit))]) == 1
    out = capsys.readouterr().out
    assert out.count("WRONG: alarm -> topic") == len(
        [o for o in report("dev").outcomes if o.call.kind == "alarm -> topic"]
    )
