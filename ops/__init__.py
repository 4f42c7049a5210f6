"""The on-call tools: what an operator runs against a deployed environment with its credentials (dead letters,
the event store, failover, the smoke scenario, the credentials preflight). They start without the CDK and import
nothing from `devtools/`, which holds the tools that synthesize the app (lint-imports checks both)."""
