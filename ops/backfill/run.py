"""Reading the table's items of one entity page by page and delivering each to one consumer, at a bounded rate,
with the position saved after every page so that an interrupted backfill goes on from where it stopped."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lambdas.shared.entities import Entity
from lambdas.shared.table_keys import PARTITION_KEY

PAGE_SIZE = 100


@dataclass
class Progress:
    """What a backfill has done so far, saved as JSON (`--state`): where the scan stands and the counts."""

    consumer: str
    entity: str
    since: str | None
    position: dict[str, Any] | None = None  # the scan's LastEvaluatedKey; None before the first page or when done
    read: int = 0
    delivered: int = 0
    skipped: int = 0  # items changed before `since`
    failed: list[str] = field(default_factory=list)  # keys whose delivery failed, with the reason
    finished: bool = False

    @classmethod
    def load(cls, path: Path, consumer: str, entity: str, since: str | None) -> Progress:
        if not path.exists():
            return cls(consumer, entity, since)
        saved = cls(**json.loads(path.read_text()))
        if (saved.consumer, saved.entity, saved.since) != (consumer, entity, since):
            raise ValueError(f"{path} belongs to a backfill of {saved.entity} to {saved.consumer} since {saved.since}: "
                             "remove it or name another --state")  # fmt: skip
        return saved

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")

    def line(self) -> str:
        failed = f", failed {len(self.failed)}" if self.failed else ""
        return f"read {self.read}, delivered {self.delivered}, skipped {self.skipped} (changed before --since){failed}"


def pages(dynamodb: Any, table: str, entity: Entity, start: dict[str, Any] | None) -> Iterator[tuple[list[Any], Any]]:
    """(the page's items of `entity`, the position after it) from `start` on."""
    request: dict[str, Any] = {
        "TableName": table,
        "Limit": PAGE_SIZE,
        "FilterExpression": "begins_with(#pk, :prefix)",
        "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        "ExpressionAttributeValues": {":prefix": {"S": entity.key_prefix}},
    }
    if start:
        request["ExclusiveStartKey"] = start
    while True:
        page = dynamodb.scan(**request)
        yield page["Items"], page.get("LastEvaluatedKey")
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@dataclass(frozen=True)
class Backfill:
    dynamodb: Any
    table: str
    entity: Entity
    since: str | None  # RFC 3339: items last changed before it are skipped
    rate: float  # deliveries per second at most
    deliver: Callable[[dict[str, Any]], str]  # an item (DynamoDB JSON) to the consumer; raises when it fails

    def wants(self, item: dict[str, Any]) -> bool:
        return not self.since or last_change(item) >= self.since

    def count(self) -> tuple[int, int]:
        """(items of the entity, those the backfill would deliver): a dry run."""
        read = wanted = 0
        for items, _ in pages(self.dynamodb, self.table, self.entity, None):
            read += len(items)
            wanted += sum(1 for item in items if self.wants(item))
        return read, wanted

    def run(self, progress: Progress, save: Callable[[Progress], None], say: Callable[[str], None]) -> Progress:
        started, budget = time.monotonic(), 0
        for items, position in pages(self.dynamodb, self.table, self.entity, progress.position):
            for item in items:
                progress.read += 1
                if (
                    self.since
                    and max((item.get(k) or {}).get("S", "") for k in ("updatedAt", "createdAt")) < self.since
                ):
                    progress.skipped += 1
                    continue
                budget += 1
                time.sleep(max(0.0, started + budget / self.rate - time.monotonic()))
                try:
                    self.deliver(item)
                    progress.delivered += 1
                except Exception as error:  # recorded with its key, and the backfill goes on
                    progress.failed.append(f"{item[PARTITION_KEY]['S']}: {type(error).__name__}: {error}")
            progress.position = position
            progress.finished = position is None
            save(progress)
            say(f"  {progress.line()}")
        return progress


def last_change(item: dict[str, Any]) -> str:
    """When the item last changed, as the app's writers stamp it (RFC 3339, comparable as text)."""
    return str(max((item.get(name) or {}).get("S", "") for name in ("updatedAt", "createdAt")))
