"""local_cloud.cpu: CPU time read from /proc, and each function worker named by its stack and construct."""

from __future__ import annotations

import os

import pytest

from local_cloud import cpu
from local_cloud.cpu import function_labels


class Deployed:
    def physical_ids(self, stack: str) -> dict[str, str]:
        return {"IntakeFunction2DC8408D": f"{stack}-IntakeFunction2DC8408D-C754500981150", "Queue": "q"}


def test_a_worker_is_named_by_its_stack_and_its_logical_id_without_the_cdk_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cpu, "stack_names", lambda: ["Orders-local-Intake"])
    labels = function_labels(Deployed())  # type: ignore[arg-type]
    assert labels["Orders-local-Intake-IntakeFunction2DC8408D-C754500981150"] == "Intake/IntakeFunction"


def test_this_process_has_used_cpu_and_a_process_that_is_gone_none() -> None:
    sum(range(2_000_000))  # some CPU of our own
    own, _ = cpu._times(os.getpid())
    assert own > 0
    assert cpu._times(2**22 + 1) == (0, 0)  # above the kernel's default pid_max
