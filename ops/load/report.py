"""The account as an operator reads it."""

from __future__ import annotations

from ops.load.account import Account


def as_text(result: Account) -> str:
    lines = [
        f"load {result.run_id} ({result.mix} mix): {result.sent} orders in {result.messages} messages",
        f"  written {result.written}, rejected {sum(result.rejected.values())}"
        + "".join(f"\n    rejected {n}: {reason}" for reason, n in sorted(result.rejected.items())),
        "  settled " + (", ".join(f"{status} {n}" for status, n in sorted(result.terminal.items())) or "none"),
        f"  stuck {len(result.stuck)}, lost {len(result.lost)}, wrong outcome {len(result.wrong_outcome)}",
        f"  event store: {len(result.events_missing)} orders with events missing, {len(result.events_twice)} with an "
        f"event twice",
        f"  cache: {len(result.cache_behind)} orders not at their final status",
        "  dead-letter queues: "
        + (", ".join(f"{q} {b} -> {a}" for q, (b, a) in result.dead_letters.items()) or "unchanged"),
    ]
    lines += [f"  poison {kind}: {ended}" for kind, ended in result.poison.items()]
    if result.stock:
        lines.append("  stock left: " + ", ".join(f"{p} {n}" for p, n in sorted(result.stock.items())))
    if result.orders_per_second is not None:
        lines.append(f"  throughput: {result.orders_per_second} orders settled a second")
    for name, percentiles in result.latency_ms.items():
        lines.append(f"  {name}: " + ", ".join(f"{p} {ms / 1000:.1f} s" for p, ms in percentiles.items()))
    lines += [f"warning: {warning}" for warning in result.warnings]
    lines.append("result: " + ("nothing lost, duplicated or stuck" if result.ok else "; ".join(result.problems)))
    return "\n".join(lines)
