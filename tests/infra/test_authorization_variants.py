"""The offline authorization check over variants of an environment that no environment deploys: prod's global
endpoint replicating (`eventReplication`, AWS's default), and staging with a team's account listed in
`crossAccountSubscribers`."""

from __future__ import annotations

import pytest

from tests.support.authorization import report, variant_report

pytestmark = pytest.mark.xdist_group("synth")
SUBSCRIBER = "210987654321"


def test_a_replicating_endpoint_is_allowed_to_put_on_both_buses_and_manage_its_rules() -> None:
    result = variant_report("prod", "event_replication", True)  # prod itself does not replicate
    assert [f"{o.call.describe()}: {o.reason}" for o in result.failures] == []
    kinds = result.counts()
    assert (kinds["endpoint -> role"], kinds["endpoint -> bus"], kinds["endpoint -> managed rule"]) == (1, 2, 8)


def test_a_listed_account_puts_its_own_rules_and_targets_on_the_bus_and_nothing_else() -> None:
    result = variant_report("staging", "cross_account_subscribers", (SUBSCRIBER,), with_delivery=False)
    assert [f"{o.call.describe()}: {o.reason}" for o in result.failures] == []
    subscribed = sorted((o.call.kind, o.call.action, o.call.expect_allowed) for o in result.outcomes
                        if o.call.kind.startswith("subscriber account"))  # fmt: skip
    assert subscribed == [
        ("subscriber account -> its rule on the bus", "events:PutRule", True),
        ("subscriber account -> its rule on the bus", "events:PutTargets", True),
        ("subscriber account -> its rule on the bus (a rule the app created)", "events:PutRule", False),
        ("subscriber account -> its rule on the bus (a target in the app's account)", "events:PutTargets", False),
        ("subscriber account -> its rule on the bus (an account not listed)", "events:PutRule", False),
        ("subscriber account -> its rule on the bus (another account)", "events:PutRule", False),  # the probes'
        ("subscriber account -> its rule on the bus (another account)", "events:PutTargets", False),
        ("subscriber account -> its rule on the bus (events onto the bus)", "events:PutEvents", False),
    ]
    assert not any(o.call.kind.startswith("subscriber") for o in report("dev").outcomes)  # none listed: no grant
