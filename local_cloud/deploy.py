"""`make local-deploy`: the local environment bootstrapped, synthesized and deployed with the pinned CDK CLI.

Every step prints its time; a failure names the step and the log that says why.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from local_cloud.assembly import CloudAssembly
from local_cloud.processes import tail
from local_cloud.services import emulator_answers, same_interpreter_as_emulator
from local_cloud.settings import (
    ASSEMBLY_DIR,
    CDK_CLI,
    LOCAL_DIR,
    LOCAL_ENV,
    OUTPUTS_FILE,
    PROJECT_ROOT,
    RUNNER_READY_FILE,
    LocalCloud,
    LocalCloudError,
    local_config,
)
from local_cloud.unsupported_resources import provision_after_deploy, provision_before_deploy

DEPLOY_LOG = LOCAL_DIR / "deploy.log"
# Momento's API key, as the README asks a user to create it before the first deploy; the stand-in accepts any key.
STAND_IN_API_KEY = "local-momento-stand-in-key"


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.monotonic()
    print(f"[local-deploy] {name} ...", flush=True)
    yield
    print(f"[local-deploy] {name}: done in {time.monotonic() - started:.1f} s", flush=True)


def deploy(cloud: LocalCloud) -> None:
    if not emulator_answers(cloud):
        raise LocalCloudError(f"the emulator does not answer on {cloud.endpoint_url}: run `make local-up` first "
                              f"(its log: {LOCAL_DIR / 'emulator.log'})")  # fmt: skip
    same_interpreter_as_emulator()
    DEPLOY_LOG.write_text("")
    with step("Momento API key secret"):
        ensure_secret(cloud)
    with step("cdk bootstrap"):
        bootstrap(cloud)
    with step(f"cdk synth -c env={LOCAL_ENV}"):
        run_cdk(cloud, "synth", "--quiet", "-c", f"env={LOCAL_ENV}", "--output", str(ASSEMBLY_DIR))
    assembly = CloudAssembly(ASSEMBLY_DIR)
    with step("create what the emulator's CloudFormation cannot (local_cloud/unsupported_resources.py)"):
        report = provision_before_deploy(cloud, assembly)
    with step("cdk deploy --all"):
        run_cdk(cloud, "deploy", "--all", "--app", str(ASSEMBLY_DIR), "--require-approval", "never",
                "--outputs-file", str(OUTPUTS_FILE))  # fmt: skip
    with step("create what needed the deployed stacks"):
        provision_after_deploy(cloud, report)
    with step("wait for the pipes runner to run the deployed pipes"):
        wait_for_pipes_runner()
    for made in report.made:
        print(f"[local-deploy]   made through the API: {made}")
    print(f"[local-deploy] stack outputs: {OUTPUTS_FILE.relative_to(PROJECT_ROOT)}")


def wait_for_pipes_runner(timeout_seconds: float = 30) -> None:
    """The runner reads from LATEST, like a new pipe: return only once it reads, so no write made after is missed."""
    deployed = (ASSEMBLY_DIR / "manifest.json").stat().st_mtime
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            ready = json.loads(RUNNER_READY_FILE.read_text())
        except (FileNotFoundError, ValueError):
            ready = {}
        if ready.get("assembly") == deployed:
            print(f"[local-deploy]   pipes running: {', '.join(ready['running']) or 'none'}")
            return
        time.sleep(0.5)
    raise LocalCloudError(f"the pipes runner did not take up the deployment within {timeout_seconds:.0f} s: is "
                          f"`make local-up` running? see {LOCAL_DIR / 'pipes-runner.log'}")  # fmt: skip


def ensure_secret(cloud: LocalCloud) -> None:
    secrets = cloud.client("secretsmanager")
    name = local_config().cache.api_key_secret_name
    try:
        secrets.describe_secret(SecretId=name)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=STAND_IN_API_KEY)


def bootstrap(cloud: LocalCloud) -> None:
    cloudformation = cloud.client("cloudformation")
    try:
        cloudformation.describe_stacks(StackName="CDKToolkit")
        print("[local-deploy]   CDKToolkit already exists")
    except cloudformation.exceptions.ClientError:
        run_cdk(cloud, "bootstrap", f"aws://{cloud.account}/{cloud.region}", "-c", f"env={LOCAL_ENV}")


def run_cdk(cloud: LocalCloud, *arguments: str) -> None:
    command = [str(CDK_CLI), *arguments, "--no-notices"]
    with DEPLOY_LOG.open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=cloud.client_environment(), stdout=log,
                                stderr=subprocess.STDOUT, check=False)  # fmt: skip
    if result.returncode != 0:
        raise LocalCloudError(
            f"`cdk {arguments[0]}` failed (exit {result.returncode}); full output in {DEPLOY_LOG}, the emulator's "
            f"in {LOCAL_DIR / 'emulator.log'}. Last lines:\n{tail(DEPLOY_LOG)}"
        )
