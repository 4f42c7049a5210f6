"""Background services: started detached with a PID file and a log, found again, stopped by PID, faults explained."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_cloud import processes
from local_cloud.processes import Service, port_in_use, running_pid, start, stop
from local_cloud.settings import LocalCloudError


@pytest.fixture(autouse=True)
def local_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(processes, "LOCAL_DIR", tmp_path)
    return tmp_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def web_server(port: int) -> Service:
    return Service(
        name="web",
        command=[sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        marker="http.server",
        port=port,
        ready=lambda: port_in_use(port),
    )


@pytest.fixture
def service() -> Iterator[Service]:
    started = web_server(free_port())
    yield started
    stop(started)


def test_a_service_starts_once_and_stops_by_its_pid(service: Service) -> None:
    assert "(started, pid" in start(service)
    pid = running_pid(service)
    assert pid is not None
    assert f"(already running, pid {pid})" in start(service)
    assert stop(service) == f"web: stopped (pid {pid})"
    assert not port_in_use(int(service.port or 0))
    assert not service.pid_file.exists()
    assert stop(service) == "web: not running"


def test_a_port_taken_by_another_process_is_named(service: Service) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", service.port or 0))
        squatter.listen()
        with pytest.raises(LocalCloudError, match=rf"port {service.port} on 127.0.0.1 is already in use"):
            start(service)


def test_a_service_that_dies_while_starting_points_at_its_log(tmp_path: Path) -> None:
    broken = Service(name="broken", command=[sys.executable, "-c", "raise SystemExit('no config found')"],
                     marker="-c", ready=lambda: False)  # fmt: skip
    with pytest.raises(LocalCloudError, match=r"exited with status 1 while starting; see .*broken.log") as error:
        start(broken)
    assert "no config found" in str(error.value)


def test_a_stale_pid_file_is_not_trusted(service: Service) -> None:
    service.pid_file.write_text("999999\n")
    assert running_pid(service) is None
    assert not service.pid_file.exists()


def test_a_crash_kills_the_service_at_once_and_it_starts_again(service: Service) -> None:
    """What the chaos scenarios do to a service: SIGKILL by its PID, no shutdown of its own; then a fresh start."""
    start(service)
    pid = running_pid(service)
    assert processes.crash(service) == f"web: killed (pid {pid})"
    assert running_pid(service) is None
    assert "(started, pid" in start(service)
    stop(service)
    with pytest.raises(LocalCloudError, match="web is not running: nothing to crash"):
        processes.crash(service)
