"""Operations: the environment's one CloudWatch dashboard (each region's rows where there is a standby), in a stack of
its own, in the primary region.

It only reads what the other stacks own (metrics of their pipe, bus, queues, workflow and functions), so a widget
edit changes this stack's template and no other (docs/decisions.md, 25). It deploys after the stacks it watches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack
from constructs import Construct

from stacks.building_blocks.operations_dashboard import OperationsDashboard, Watched


class OperationsStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, dashboard_name: str, regions: Sequence[Watched], **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.dashboard = OperationsDashboard(self, "OperationsDashboard", dashboard_name=dashboard_name,
                                             regions=regions)  # fmt: skip
