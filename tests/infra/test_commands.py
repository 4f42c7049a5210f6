"""The make commands print nothing that is the project's own mistake, and pytest's collection exits 0."""

from __future__ import annotations

import re

import pytest

from tests.support.synth import PROJECT_ROOT


def recipe(target: str) -> str:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, target
    return match.group(1)


def test_synth_and_diff_pass_no_option_the_pinned_cli_does_not_take_for_them() -> None:
    """CLI 2.1148 takes --all for deploy and destroy only; elsewhere it prints `Unknown option(s): --all`."""
    assert "--all" not in recipe("synth")
    assert "--all" not in recipe("diff")


def test_diff_and_deploy_check_config_and_credentials_before_synthesizing() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in ("diff", "deploy", "destroy"):
        assert re.search(rf"^{target}: preflight ", makefile, re.MULTILINE), target
    assert re.search(r"^preflight: check-config", makefile, re.MULTILINE)


def test_unused_snapshots_warn_so_that_collecting_the_tests_exits_zero(pytestconfig: pytest.Config) -> None:
    """`pytest --collect-only` runs no snapshot test, so every snapshot is unused; syrupy fails that unless told to
    warn. (tests/infra/test_snapshots.py still fails when a stack has no snapshot.)"""
    assert pytestconfig.getoption("warn_unused_snapshots") is True
