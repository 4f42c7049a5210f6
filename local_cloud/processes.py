"""Background services of the local cloud: started detached with a PID file and a log under `.local/`, stopped by PID.

A service is only ever stopped through its own PID file, and only if that process still runs the command this
module started (its command line is checked), so a reused PID never kills a stranger.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from local_cloud.settings import LOCAL_DIR, LOOPBACK, PROJECT_ROOT, LocalCloudError

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    marker: str  # a word of `command` that identifies the process in /proc/<pid>/cmdline
    port: int | None = None  # where it listens, if it does
    ready: Callable[[], bool] = lambda: True
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def pid_file(self) -> Path:
        return LOCAL_DIR / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return LOCAL_DIR / f"{self.name}.log"

    @property
    def where(self) -> str:
        listening = f"listening on {LOOPBACK}:{self.port}" if self.port else "no listener"
        log = self.log_file.relative_to(PROJECT_ROOT) if self.log_file.is_relative_to(PROJECT_ROOT) else self.log_file
        return f"{self.name}: {listening}, log {log}"


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((LOOPBACK, port)) == 0


def running_pid(service: Service) -> int | None:
    """The PID in the service's PID file if that process is alive and is this service; a stale file is removed."""
    try:
        pid = int(service.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _is_service(pid, service):
        return pid
    service.pid_file.unlink(missing_ok=True)
    return None


def _is_service(pid: int, service: Service) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no procfs: trust the PID file
        return True
    return service.marker in cmdline.read_bytes().decode(errors="replace").split("\0")


def start(service: Service, timeout: float = START_TIMEOUT_SECONDS) -> str:
    """Start the service unless it already runs; wait until it answers. Raises LocalCloudError naming its log."""
    if pid := running_pid(service):
        return f"{service.where} (already running, pid {pid})"
    if service.port is not None and port_in_use(service.port):
        raise LocalCloudError(
            f"{service.name} cannot start: port {service.port} on {LOOPBACK} is already in use by another process "
            f"(free it, or choose another port: LOCAL_PORT=<port> for the emulator, cache.endpoint of the local "
            f"environment in cdk.json for the Momento stand-in)"
        )
    LOCAL_DIR.mkdir(exist_ok=True)
    with service.log_file.open("wb") as log:  # a fresh log per start: what it says is about this run
        process = subprocess.Popen(
            service.command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **service.environment},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() takes its children (Lambda workers) with it
        )
    service.pid_file.write_text(f"{process.pid}\n")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            service.pid_file.unlink(missing_ok=True)
            raise LocalCloudError(f"{service.name} exited with status {process.returncode} while starting; "
                                  f"see {service.log_file}:\n{tail(service.log_file)}")  # fmt: skip
        if service.ready():
            return f"{service.where} (started, pid {process.pid})"
        time.sleep(0.2)
    stop(service)
    raise LocalCloudError(f"{service.name} did not answer within {timeout:.0f} s; see {service.log_file}:\n"
                          f"{tail(service.log_file)}")  # fmt: skip


def stop(service: Service) -> str:
    """Stop the service's whole process group by its PID; say so if it was not running."""
    pid = running_pid(service)
    if pid is None:
        service.pid_file.unlink(missing_ok=True)
        return f"{service.name}: not running"
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and _is_service(pid, service):
        time.sleep(0.1)
    if _is_service(pid, service):
        _signal_group(pid, signal.SIGKILL)
        time.sleep(0.2)
    service.pid_file.unlink(missing_ok=True)
    while service.port is not None and port_in_use(service.port) and time.monotonic() < deadline + 2:
        time.sleep(0.1)  # an exiting process closes its sockets last
    if service.port is not None and port_in_use(service.port):
        return f"{service.name}: stopped pid {pid}, but port {service.port} still answers: check `ss -ltnp`"
    return f"{service.name}: stopped (pid {pid})"


def crash(service: Service) -> str:
    """Kill the service's process group by its PID at once (SIGKILL: no shutdown of its own), as a crash would."""
    pid = running_pid(service)
    if pid is None:
        raise LocalCloudError(f"{service.name} is not running: nothing to crash")
    _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and (
        _is_service(pid, service) or (service.port is not None and port_in_use(service.port))
    ):
        time.sleep(0.1)  # the kernel closes a killed process's sockets after it is gone
    service.pid_file.unlink(missing_ok=True)
    return f"{service.name}: killed (pid {pid})"


def _signal_group(pid: int, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal_number)  # start_new_session made the PID its group's id
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal_number)


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "  (no log written)"
    return "\n".join(f"  {line}" for line in text.splitlines()[-lines:])
