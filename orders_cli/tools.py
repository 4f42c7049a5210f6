"""The tools `orders` runs, by subcommand: where each one's `main(argv)` lives, what it is for, and which
environment it reads when `--env` is not given (None: it must be given)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    module: str
    summary: str
    default_env: str | None = "dev"
    uses_aws: bool = True  # False: it reads only this repository (cdk.json, the synthesized templates)


TOOLS: dict[str, Tool] = {
    "smoke": Tool("ops.smoke.__main__", "the smoke scenario against a deployed environment (exit 1 names the hop)",
                  default_env=None),
    "load": Tool("ops.load.cli", "a load of orders and the account of every one (lost, stuck, duplicated)",
                 default_env=None),
    "orders": Tool("ops.orders.cli", "an order's history with the execution behind each change; retry an order"),
    "event-store": Tool("ops.event_store.cli",
                        "stored events: an aggregate, a type or a range; an order as of a time; a request's trace; "
                        "replays"),
    "dlq": Tool("ops.dlq.cli", "dead-letter queues: list, show, redrive to the one consumer that missed them"),
    "backfill": Tool("ops.backfill.cli", "the table's current items, delivered to one consumer as events"),
    "privacy": Tool("ops.privacy.cli", "a customer's personal data: export it, or erase it everywhere it is"),
    "failover": Tool("ops.failover.cli", "which region publishes; move publishing to the standby and back",
                     default_env="prod"),
    "preflight": Tool("ops.preflight", "credentials for the environment's account, before a diff or deploy"),
    "cost": Tool("devtools.cost.cli", "what a month of the environment costs at a traffic, line by line (offline)",
                 uses_aws=False),
}  # fmt: skip
