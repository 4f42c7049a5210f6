"""The CDK app of the orders event fabric.

- `orders_app.py` composes one environment's stacks; `config.py` is the typed per-environment config; `names.py`
  holds the stack names and output keys other tools find the deployed app by.
- `*_stack.py`: the stacks, one per component: Data, EventFabric, Intake, Workflows, EventStore, CacheIntegration.
- `building_blocks/`: what the stacks are built from.
"""

import os

# jsii prints Node 20's end-of-life notice through every Python process that loads aws_cdk (as b'...' lines); the
# README says which Node to use and that 20 still works. Set before aws_cdk is imported, as the Makefile does.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
