"""The CDK app of the orders event fabric.

- `orders_app.py` composes one environment's stacks; `config.py` is the typed per-environment config; `names.py`
  holds the stack names and output keys other tools find the deployed app by.
- `*_stack.py`: the stacks, one per component: Data, EventFabric, Intake, Workflows, EventStore, CacheIntegration.
- `building_blocks/`: what the stacks are built from.
"""
