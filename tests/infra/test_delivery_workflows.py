"""The GitHub Actions workflows: what runs on a pull request and on main, pinned actions, least permissions."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support.synth import PROJECT_ROOT

WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    return loaded


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            match = re.search(r"uses:\s*(\S+)", line)
            if match and not match.group(1).startswith("./"):
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", match.group(1)), f"{path.name}: {line.strip()}"
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: {line.strip()} names no version"


def test_no_workflow_grants_anything_by_default_and_every_job_says_what_it_needs() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        loaded = yaml.safe_load(path.read_text())
        assert loaded["permissions"] == {}, path.name
        for name, job in loaded["jobs"].items():
            assert set(job["permissions"]) <= {"contents", "id-token"}, (path.name, name)
            assert job["permissions"]["contents"] == "read", (path.name, name)


def test_a_pull_request_runs_the_fresh_clone_checks_then_a_diff_per_environment() -> None:
    jobs = workflow("pull-request.yml")["jobs"]
    commands = [step.get("run", "") for step in steps(jobs["checks"])]
    for expected in ("make lint", "make synth ENV=dev", "make synth ENV=staging", "make synth ENV=prod",
                     "make test", "make local-test"):  # fmt: skip
        assert expected in commands, expected
    assert "id-token" not in jobs["checks"]["permissions"]
    diff = jobs["diff"]
    assert diff["needs"] == "checks"
    assert diff["permissions"]["id-token"] == "write"
    assert [entry["env"] for entry in diff["strategy"]["matrix"]["include"]] == ["dev", "staging", "prod"]
    assert "head.repo.full_name == github.repository" in diff["if"]  # no OIDC token for forks
    script = " ".join(step.get("run", "") for step in steps(diff))
    assert "::notice::" in script
    assert "GITHUB_STEP_SUMMARY" in script


def test_main_deploys_dev_then_staging_then_prod_each_in_its_environment_then_smoke_tests_it() -> None:
    jobs = workflow("deliver.yml")["jobs"]
    assert "needs" not in jobs["dev"]
    assert (jobs["staging"]["needs"], jobs["prod"]["needs"]) == ("dev", "staging")
    assert {job["with"]["environment"] for job in jobs.values()} == {"dev", "staging", "prod"}
    assert workflow("deliver.yml")["concurrency"]["cancel-in-progress"] is False
    [deploy] = workflow("deploy-environment.yml")["jobs"].values()
    assert deploy["environment"] == "${{ inputs.environment }}"
    commands = [step.get("run", "") for step in steps(deploy)]
    assert commands.index('make smoke ENV="$ENV"') > commands.index(next(c for c in commands if "make deploy" in c))
    credentials = [s for s in steps(deploy) if "configure-aws-credentials" in s.get("uses", "")]
    assert [s["with"]["role-to-assume"] for s in credentials] == ["${{ vars.AWS_DEPLOY_ROLE_ARN }}"]


def test_no_long_lived_keys_anywhere() -> None:
    text = "".join(path.read_text() for path in WORKFLOWS.glob("*.yml"))
    assert "aws-access-key-id" not in text
    assert "secrets." not in text


def test_checkout_never_keeps_its_token() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in steps(job):
                if "actions/checkout" in step.get("uses", ""):
                    assert step["with"]["persist-credentials"] is False, path.name


def test_these_are_all_the_workflows() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == ["deliver.yml", "deploy-environment.yml",
                                                               "pull-request.yml"]  # fmt: skip
