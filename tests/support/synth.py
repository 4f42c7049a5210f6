"""Synthesize the real app (same composition as app.py) in-process, once per environment per test session."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.synth import synthesized
from stacks.config import ENVIRONMENTS_CONTEXT_KEY, EnvironmentConfig
from stacks.config_loading import load_environment_config
from stacks.names import Component
from stacks.orders_app import OrdersApp, OrdersStacks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = ("dev", "staging", "prod")  # AWS environments; `local` is tested on its own


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return context


def environment_blocks() -> dict[str, Any]:
    """cdk.json's environment blocks, read afresh: a test may change them."""
    blocks: dict[str, Any] = cdk_json_context()["environments"]
    return blocks


def environment_config(env_name: str) -> EnvironmentConfig:
    # No CDK_DEFAULT_* from the caller's shell: templates must not depend on who runs the tests.
    return load_environment_config(cdk_json_context()[ENVIRONMENTS_CONTEXT_KEY], env_name, environ={})


@dataclass(frozen=True)
class SynthesizedApp:
    config: EnvironmentConfig
    app: OrdersApp
    templates: dict[str, dict[str, Any]]  # by artifact id: the stack name, plus `-<region>` for the standby's
    assembly_dir: Path  # the cloud assembly as `cdk synth` writes it (without bundled assets)

    @property
    def stacks(self) -> OrdersStacks:
        """The primary region's stacks."""
        return self.app.primary

    def template(self, component: str) -> dict[str, Any]:
        """A primary-region stack's template."""
        return self.templates[f"Orders-{self.config.name}-{component}"]

    def components(self, *, standby: bool = False) -> list[Component]:
        """The components with a stack in that region (the standby has no Operations stack: one dashboard)."""
        return [c for c in Component if not standby or self._standby_name(c) in self.templates]

    def _standby_name(self, component: str) -> str:
        return f"Orders-{self.config.name}-{component}-{self.config.secondary_region}"

    def standby_template(self, component: str) -> dict[str, Any]:
        """The standby region's copy of that stack (environments with a secondaryRegion only)."""
        return self.templates[self._standby_name(component)]


@functools.cache
def synthesize(env_name: str) -> SynthesizedApp:
    """Bundling is skipped (`aws:cdk:bundling-stacks: []`); one test bundles the layer for real."""
    config = environment_config(env_name)
    outdir = Path(tempfile.mkdtemp(prefix=f"cdk-{env_name}-"))
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)  # nothing left behind in the temporary directory
    orders, assembly = synthesized(config, str(outdir))  # the same synthesis as the developer tools (devtools/synth.py)
    templates = {stack.artifact_id: assembly.get_stack_artifact(stack.artifact_id).template for stack in orders.all()}
    return SynthesizedApp(config=config, app=orders, templates=templates, assembly_dir=outdir)
