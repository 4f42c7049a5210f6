"""The bill being written: its lines, each priced in its region, and the counts later lines are priced from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Line:
    region: str
    service: str
    item: str
    quantity: float
    unit: str
    unit_price: float  # USD per `per` units
    per: int
    monthly_usd: float
    price_read_for: str  # the region whose price list gave the unit price


@dataclass
class Bill:
    """The lines so far, and the counts later lines are priced from (logs, traces), kept as they are added."""

    price_list: dict[str, Any]
    lines: list[Line] = field(default_factory=list)
    invocations: dict[tuple[str, str], float] = field(default_factory=dict)  # Lambda, by (region, package)
    trace_roots: dict[tuple[str, str], float] = field(default_factory=dict)  # requests that start a trace
    pipe_requests: dict[tuple[str, str], float] = field(default_factory=dict)  # by (region, pipe)
    states: dict[str, float] = field(default_factory=dict)  # workflow states entered, by region
    priced: set[str] = field(default_factory=set)  # construct ids of the rules and topics some line prices

    def add(self, region: str, service: str, item: str, price: str, quantity: float) -> None:
        entry = self.price_list["prices"][price]
        read_for = self.price_list["regions"].get(region, {}).get("readFor")
        if read_for is None:
            raise ValueError(f"devtools/cost/prices.json has no entry for region {region}: say whose prices it takes")
        self.lines.append(
            Line(
                region,
                service,
                item,
                quantity,
                entry["unit"],
                entry["usd"],
                entry["per"],
                quantity / entry["per"] * entry["usd"],
                read_for,
            )
        )
