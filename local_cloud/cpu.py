"""CPU time of the local cloud's processes, read from /proc (Linux), grouped by what each process is: the emulator
itself, each Lambda function's workers (children of the emulator, one group per function), the Pipes runner and
the Momento stand-in. `CpuMeter.snapshot` is a snapshot; the difference of two is what a run cost each group."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

from local_cloud.deployed import DeployedStacks
from local_cloud.processes import running_pid
from local_cloud.services import emulator, momento_standin, pipes_runner
from local_cloud.settings import LOCAL_ENV, LocalCloud, LocalCloudError, stack_names
from stacks.names import APPLICATION

PROC = Path("/proc")
EMULATOR, RUNNER, STANDIN = "emulator", "pipes runner", "momento stand-in"
EXITED_WORKERS = "exited function workers"  # reaped children's time, which /proc keeps only as a total
FUNCTION_PREFIX = "function "
# MiniStack runs each function in /tmp/ministack-lambda-<function name>-<random>/_worker.py.
_WORKER = re.compile(r"ministack-lambda-(?P<name>.+)-[^-/]+/_worker\.py$")
_CDK_HASH = re.compile(r"[0-9A-F]{8}$")  # the end of every logical id the CDK generates


class CpuMeter:
    """Snapshots of each group's user and system CPU seconds so far."""

    def __init__(self, cloud: LocalCloud) -> None:
        services = {EMULATOR: emulator(cloud), RUNNER: pipes_runner(cloud), STANDIN: momento_standin(cloud)}
        pids = {name: running_pid(service) for name, service in services.items()}
        missing = [name for name, pid in pids.items() if pid is None]
        if missing:
            raise LocalCloudError(f"not running: {', '.join(missing)}; start the local cloud with make local-up")
        self._pids = {name: int(pid or 0) for name, pid in pids.items()}
        self._labels = function_labels(DeployedStacks(cloud.client))
        self._ticks = os.sysconf("SC_CLK_TCK")

    def snapshot(self) -> dict[str, float]:
        seen: defaultdict[str, float] = defaultdict(float)
        for name, pid in self._pids.items():
            own, children = _times(pid)
            seen[name] += own / self._ticks
            if name == EMULATOR:
                seen[EXITED_WORKERS] += children / self._ticks
        for pid in _children(self._pids[EMULATOR]):
            match = _WORKER.search(_command_line(pid))
            if match:
                label = self._labels.get(match["name"], match["name"])
                seen[FUNCTION_PREFIX + label] += _times(pid)[0] / self._ticks
        return dict(seen)


def function_labels(deployed: DeployedStacks) -> dict[str, str]:
    """Each deployed function's physical name -> `<stack>/<logical id without the CDK's hash>`."""
    labels = {}
    for stack in stack_names():
        component = stack.removeprefix(f"{APPLICATION}-{LOCAL_ENV}-")
        for logical_id, physical_id in deployed.physical_ids(stack).items():
            labels[physical_id] = f"{component}/{_CDK_HASH.sub('', logical_id)}"
    return labels


def _times(pid: int) -> tuple[int, int]:
    """(own utime + stime, reaped children's cutime + cstime) in clock ticks; (0, 0) for a process that is gone."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0, 0
    # After the command's closing parenthesis: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (proc(5)).
    utime, stime, cutime, cstime = (int(fields[i - 3]) for i in (14, 15, 16, 17))
    return utime + stime, cutime + cstime


def _children(parent: int) -> list[int]:
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        if ppid == parent:
            found.append(int(entry.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""
