"""The three background services `make local-up` starts, and the emulator's own venv."""

from __future__ import annotations

import hashlib
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.error import URLError

from local_cloud.processes import Service, port_in_use
from local_cloud.settings import (
    CACHE_REQUESTS_FILE,
    CERTIFICATE,
    EMULATOR_REQUIREMENTS,
    EMULATOR_VENV,
    LOCAL_DIR,
    LOOPBACK,
    PRIVATE_KEY,
    LocalCloud,
    LocalCloudError,
    local_config,
)

EMULATOR_PYTHON = EMULATOR_VENV / "bin" / "python"
EMULATOR_SCRIPT = Path(__file__).with_name("emulator_with_retries.py")
HEALTH_PATH = "/_ministack/health"


def emulator_answers(cloud: LocalCloud) -> bool:
    if not CERTIFICATE.exists():
        return False
    context = ssl.create_default_context(cafile=str(CERTIFICATE))
    try:
        with urllib.request.urlopen(f"{cloud.endpoint_url}{HEALTH_PATH}", timeout=2, context=context) as response:
            return bool(response.status == 200)
    except (URLError, OSError):
        return False


def emulator(cloud: LocalCloud) -> Service:
    return Service(
        name="emulator",
        # MiniStack, with EventBridge's retries and DLQ for API destination targets (that module says why).
        command=[str(EMULATOR_PYTHON), str(EMULATOR_SCRIPT)],
        marker=str(EMULATOR_SCRIPT),  # an argument of the command, as it is (processes._is_service)
        port=cloud.port,
        ready=lambda: emulator_answers(cloud),
        environment={
            "GATEWAY_PORT": str(cloud.port),
            "BIND_HOST": LOOPBACK,
            "MINISTACK_REGION": cloud.region,
            "MINISTACK_ACCOUNT_ID": cloud.account,
            # Every call is checked against IAM: a Lambda runs with its execution role's session, so a missing
            # permission fails here as it would on AWS. Over TLS, because the resource policies require it.
            "AUTH": "true",
            "USE_SSL": "1",
            "MINISTACK_SSL_CERT": str(CERTIFICATE),
            "MINISTACK_SSL_KEY": str(PRIVATE_KEY),
            # Inherited by the functions it runs, whose boto3 then trusts the emulator's certificate.
            "AWS_CA_BUNDLE": str(CERTIFICATE),
        },
    )


def momento_standin(cloud: LocalCloud) -> Service:
    return Service(
        name="momento-standin",
        command=[sys.executable, "-m", "local_cloud.momento_standin", "--port", str(cloud.momento_port),
                 "--cache", local_config().cache.cache_name, "--log", str(CACHE_REQUESTS_FILE)],
        marker="local_cloud.momento_standin",
        port=cloud.momento_port,
        ready=lambda: port_in_use(cloud.momento_port),
    )  # fmt: skip


def pipes_runner(cloud: LocalCloud) -> Service:
    return Service(
        name="pipes-runner",
        command=[sys.executable, "-m", "local_cloud.pipes", "--port", str(cloud.port)],
        marker="local_cloud.pipes",
    )


def all_services(cloud: LocalCloud) -> list[Service]:
    """In start order; they stop in the reverse order."""
    return [emulator(cloud), momento_standin(cloud), pipes_runner(cloud)]


def ensure_emulator_venv() -> str:
    """Install the pinned emulator into its own venv, once per version of requirements-emulator.txt."""
    digest = hashlib.sha256(EMULATOR_REQUIREMENTS.read_bytes()).hexdigest()
    stamp = EMULATOR_VENV / ".requirements.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return f"emulator venv: {EMULATOR_VENV} (up to date)"
    LOCAL_DIR.mkdir(exist_ok=True)
    log = LOCAL_DIR / "emulator-install.log"
    print(f"installing the emulator pinned in {EMULATOR_REQUIREMENTS.name} into {EMULATOR_VENV} (once; log {log})",
          flush=True)  # fmt: skip
    with log.open("w") as output:
        for command in (
            [sys.executable, "-m", "venv", "--clear", str(EMULATOR_VENV)],
            [str(EMULATOR_PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--requirement",
             str(EMULATOR_REQUIREMENTS)],
        ):  # fmt: skip
            if subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, check=False).returncode != 0:
                raise LocalCloudError(f"installing the emulator failed ({' '.join(command[:4])} ...); see {log}")
    stamp.write_text(digest)
    return f"emulator venv: {EMULATOR_VENV} (installed from {EMULATOR_REQUIREMENTS.name})"


def ensure_certificate() -> str:
    """A self-signed certificate for 127.0.0.1, made once with openssl; clients trust exactly this certificate."""
    if CERTIFICATE.exists() and PRIVATE_KEY.exists():
        return f"TLS certificate: {CERTIFICATE}"
    CERTIFICATE.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", "/CN=local-cloud",
        "-keyout", str(PRIVATE_KEY), "-out", str(CERTIFICATE),
        "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth",
        "-addext", f"subjectAltName=DNS:localhost,IP:{LOOPBACK}",
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise LocalCloudError("openssl is needed to make the emulator's TLS certificate; install it") from None
    if result.returncode != 0:
        raise LocalCloudError(f"openssl could not make the TLS certificate: {result.stderr.strip()}")
    return f"TLS certificate: {CERTIFICATE} (made)"


def same_interpreter_as_emulator() -> None:
    """The layer is built for this interpreter; the emulator runs the functions on its own. They must be one."""
    tag = subprocess.run([str(EMULATOR_PYTHON), "-c", "import sys; print(sys.implementation.cache_tag)"],
                         capture_output=True, text=True, check=False).stdout.strip()  # fmt: skip
    if tag != sys.implementation.cache_tag:
        raise LocalCloudError(
            f"the emulator runs functions on {tag or 'no interpreter'}, but the layer is built for "
            f"{sys.implementation.cache_tag}: make local-down, remove .local/emulator-venv, then make local-up"
        )
