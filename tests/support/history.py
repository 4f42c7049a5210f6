"""A generated history of the single table: real writes on a moto table, and the stream records they would emit."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from lambdas.shared.entities import ORDER
from lambdas.shared.table import item_key
from tests.support.seed import customer_item, order_item

STATUS_FLOW = ("PROCESSING", "RESERVED", "SHIPPED")
START_MS = 1_795_305_600_000 - 2 * 3_600_000  # 2026-11-21T22:00:00Z: the history crosses midnight twice


@dataclass
class History:
    """Writes to `table_name` through `client` and records NEW_AND_OLD_IMAGES stream records for each write."""

    client: Any
    table_name: str
    seed: int = 7
    records: list[dict[str, Any]] = field(default_factory=list)
    _now_ms: int = START_MS

    def _tick(self, rng: random.Random) -> None:
        # Mostly sub-second steps, sometimes long gaps: many events share a second, some cross a day boundary.
        self._now_ms += rng.choice([0, 120, 350, 800, 1_500, 45_000, 3_600_000])

    def _record(self, name: str, key: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        stream: dict[str, Any] = {
            "ApproximateCreationDateTime": self._now_ms // 1000,  # streams carry whole seconds
            "Keys": key,
            "SequenceNumber": str(10**20 + len(self.records)),
            "SizeBytes": 300,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        if new is not None:
            stream["NewImage"] = new
        if old is not None:
            stream["OldImage"] = old
        self.records.append({"eventID": f"{len(self.records):032x}", "eventName": name, "dynamodb": stream})

    def put(self, item: dict[str, Any]) -> None:
        key = {"pk": item["pk"], "sk": item["sk"]}
        old = self.client.get_item(TableName=self.table_name, Key=key).get("Item")
        self.client.put_item(TableName=self.table_name, Item=item)
        self._record("MODIFY" if old else "INSERT", key, old, item)

    def delete(self, key: dict[str, Any]) -> None:
        old = self.client.get_item(TableName=self.table_name, Key=key)["Item"]
        self.client.delete_item(TableName=self.table_name, Key=key)
        self._record("REMOVE", key, old, None)

    def generate(self, orders: int = 12) -> list[str]:
        """Customers, then orders moving through their statuses, interleaved; some orders deleted. Returns order ids."""
        rng = random.Random(self.seed)
        order_ids = [f"o-{n}" for n in range(orders)]
        for customer in ("c-1", "c-2"):
            self.put(customer_item(customer))
        steps = dict.fromkeys(order_ids, 0)
        while steps:
            order_id = rng.choice(sorted(steps))
            self._tick(rng)
            step = steps[order_id]
            if step == 0:
                self.put(order_item(order_id, rng.choice(["c-1", "c-2"]), [("p-1", rng.randint(1, 3), 1500)]))
            elif step <= len(STATUS_FLOW):
                item = order_item(order_id, "c-1", [("p-1", 1, 1500)])
                current = self.client.get_item(TableName=self.table_name, Key={"pk": item["pk"], "sk": item["sk"]})[
                    "Item"
                ]
                self.put({**current, "status": {"S": STATUS_FLOW[step - 1]}})
            elif rng.random() < 0.25:
                self.delete(item_key(ORDER, order_id))
            steps[order_id] = step + 1
            if steps[order_id] > len(STATUS_FLOW) + 1:
                del steps[order_id]
        return order_ids
