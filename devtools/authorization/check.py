"""Every call between services in one environment, evaluated: the app's cloud assembly and its delivery access
stack, both as `cdk synth` writes them, read as plain JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devtools.authorization.assembly import Assembly, bootstrap_stacks, read_assembly
from devtools.authorization.calls import Call, Outcome, evaluate
from devtools.authorization.delivery_calls import delivery_calls
from devtools.authorization.deployment import Deployment
from devtools.authorization.function_calls import function_calls
from devtools.authorization.policies import Policies
from devtools.authorization.probes import probes
from devtools.authorization.service_calls import service_calls
from devtools.authorization.subscriber_calls import subscriber_calls


@dataclass(frozen=True)
class Report:
    environment: str
    outcomes: list[Outcome]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.as_expected]

    def counts(self) -> dict[str, int]:
        """Calls by kind (probes included, under their own kinds)."""
        return dict(sorted(Counter(o.call.kind for o in self.outcomes).items()))

    @property
    def edges(self) -> int:
        """Calls that must be allowed: the edges between services."""
        return sum(1 for o in self.outcomes if o.call.expect_allowed)


def app_calls(app: Assembly) -> Iterator[Call]:
    yield from service_calls(app.deployment)
    yield from function_calls(app.deployment)
    yield from subscriber_calls(app.deployment)


def check(env_name: str, app_directory: Path, delivery_directory: Path | None, repository: str) -> Report:
    """`delivery_directory`: the delivery access stack's assembly (None leaves the delivery roles out)."""
    app = read_assembly(app_directory)
    app_policies = Policies(app.deployment)
    allowed = list(app_calls(app))
    outcomes = [evaluate(call, app_policies) for call in [*allowed, *probes(allowed, app_policies)]]
    if delivery_directory is not None:
        delivery = read_assembly(delivery_directory)
        world = Deployment([*delivery.deployment.stacks, *bootstrap_stacks(app.bootstrap_roles)])
        outcomes += [evaluate(c, Policies(world)) for c in delivery_calls(world, app, env_name, repository)]
    return Report(env_name, outcomes)
