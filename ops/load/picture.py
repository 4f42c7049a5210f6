"""A load run drawn (`reports/load-<run id>.html`): throughput and latency over the run, the latency histogram, and
the account as `make load` prints it. Times come from what the run observed: each order's first send (this
process), and its `createdAt` and `updatedAt` as the table holds them."""

from __future__ import annotations

from pathlib import Path

from ops.load.account import Account, Observed, settled_times
from ops.load.report import as_text
from ops.pictures import histogram, html_page, lines, reports_dir

BUCKET_SECONDS = 10.0


def write_load_report(result: Account, seen: Observed) -> Path:
    directory = reports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"load-{result.run_id}.html"
    path.write_text(load_page(result, seen))
    return path


def load_page(result: Account, seen: Observed) -> str:
    start = min(seen.sent_at.values(), default=0.0)
    settled = settled_times(seen)
    throughput: dict[int, int] = {}
    for _, at in settled:
        bucket = int((at - start) // BUCKET_SECONDS)
        throughput[bucket] = throughput.get(bucket, 0) + 1
    per_second = [((b + 0.5) * BUCKET_SECONDS, n / BUCKET_SECONDS) for b, n in sorted(throughput.items())]
    latency = sorted((sent - start, at - sent) for sent, at in settled)
    return html_page(
        f"load {result.run_id} ({result.mix} mix)",
        [
            ("throughput", lines(f"orders settled a second ({BUCKET_SECONDS:.0f} s buckets)",
                                 {"settled/s": per_second}, "s into the run", "orders/s")),
            ("latency over the run", lines("send -> settled, by when the order was sent",
                                           {"send -> settled": latency}, "s into the run", "seconds")),
            ("latency histogram", histogram("send -> settled", [seconds for _, seconds in latency], "s")),
            ("the account", as_text(result)),
        ],
    )  # fmt: skip
