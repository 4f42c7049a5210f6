"""Pictures where people look rather than read: small self-contained SVG charts (and an HTML page around them), and
a text timeline for the terminal. Standard library only, so every tool can draw without a plotting package: four
shapes (horizontal bars, lines over time, a histogram, a timeline of hops) are all the app draws.

The reports go to `reports/` at the repository's root (gitignored), which the README names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

REPORTS_VARIABLE = "ORDERS_REPORTS_DIR"  # another folder for the reports (the tests use a temporary one)


def reports_dir() -> Path:
    return Path(os.environ.get(REPORTS_VARIABLE) or Path(__file__).resolve().parents[1] / "reports")


WIDTH, BAR_HEIGHT, LABEL_WIDTH, MARGIN = 760, 22, 300, 12
PLOT_HEIGHT = 220
COLOURS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f")
TEXT_BAR_WIDTH = 40


def _svg(height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'font-family="sans-serif" font-size="12"><title>{escape(title)}</title>'
            f'<text x="{MARGIN}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
            + "".join(body) + "</svg>")  # fmt: skip


def bars(title: str, items: Sequence[tuple[str, float]], unit: str) -> str:
    """Horizontal bars, one per item, longest first as given, each labelled with its value."""
    top = max((value for _, value in items), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - 3 * MARGIN - 80
    body = []
    for index, (label, value) in enumerate(items):
        y = 30 + index * (BAR_HEIGHT + 4)
        length = span * value / top
        body += [
            f'<text x="{LABEL_WIDTH}" y="{y + 15}" text-anchor="end">{escape(label[:48])}</text>',
            f'<rect x="{LABEL_WIDTH + MARGIN}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{COLOURS[0]}"/>',
            f'<text x="{LABEL_WIDTH + 2 * MARGIN + length:.1f}" y="{y + 15}">{value:,.2f} {escape(unit)}</text>',
        ]
    return _svg(40 + len(items) * (BAR_HEIGHT + 4), title, body)


def lines(title: str, series: dict[str, Sequence[tuple[float, float]]], x_label: str, y_label: str) -> str:
    """One line per series over a shared x axis (e.g. seconds into a run), with the axes' ranges written out."""
    points = [point for values in series.values() for point in values]
    if not points:
        return _svg(60, title, [f'<text x="{MARGIN}" y="45">no data</text>'])
    x_min, x_max = min(p[0] for p in points), max(p[0] for p in points)
    y_max = max(p[1] for p in points) or 1.0
    left, top, width = 70, 40, WIDTH - 70 - 2 * MARGIN

    def at(x: float, y: float) -> str:
        return f"{left + width * (x - x_min) / ((x_max - x_min) or 1):.1f},{top + PLOT_HEIGHT * (1 - y / y_max):.1f}"

    body = [
        f'<rect x="{left}" y="{top}" width="{width}" height="{PLOT_HEIGHT}" fill="none" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{y_max:,.1f}</text>',
        f'<text x="{left - 6}" y="{top + PLOT_HEIGHT}" text-anchor="end">0</text>',
        f'<text x="{left}" y="{top + PLOT_HEIGHT + 16}">{x_min:,.0f}</text>',
        f'<text x="{left + width}" y="{top + PLOT_HEIGHT + 16}" text-anchor="end">'
        f"{x_max:,.0f} {escape(x_label)}</text>",
        f'<text x="{MARGIN}" y="{top + PLOT_HEIGHT / 2}" transform="rotate(-90 {MARGIN + 4} {top + PLOT_HEIGHT / 2})"'
        f">{escape(y_label)}</text>",
    ]
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'points="{" ".join(at(x, y) for x, y in values)}"/>')  # fmt: skip
        body.append(f'<text x="{left + 8 + 160 * index}" y="{top + PLOT_HEIGHT + 34}" fill="{colour}">'
                    f"{escape(name)}</text>")  # fmt: skip
    return _svg(top + PLOT_HEIGHT + 46, title, body)


def histogram(title: str, values: Sequence[float], unit: str, buckets: int = 12) -> str:
    """Counts of `values` in equal buckets from the smallest to the largest, drawn as bars."""
    if not values:
        return bars(title, [], unit)
    low, high = min(values), max(values)
    step = (high - low) / buckets or 1.0
    counts = [0] * buckets
    for value in values:
        counts[min(buckets - 1, int((value - low) / step))] += 1
    labelled = [(f"{low + i * step:,.2f}-{low + (i + 1) * step:,.2f} {unit}", float(c)) for i, c in enumerate(counts)]
    return bars(title, labelled, "orders")


def timeline(title: str, hops: Sequence[tuple[str, float, float]]) -> str:
    """A hop per row from its start to its end (seconds from the first start): where the time went."""
    end = max((finish for _, _, finish in hops), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - 3 * MARGIN - 70
    body = []
    for index, (label, start, finish) in enumerate(hops):
        y = 30 + index * (BAR_HEIGHT + 4)
        x = LABEL_WIDTH + MARGIN + span * start / end
        length = max(1.0, span * (finish - start) / end)
        body += [
            f'<text x="{LABEL_WIDTH}" y="{y + 15}" text-anchor="end">{escape(label[:48])}</text>',
            f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[index % 5]}"/>',
            f'<text x="{x + length + 4:.1f}" y="{y + 15}">{finish - start:.2f} s</text>',
        ]
    return _svg(40 + len(hops) * (BAR_HEIGHT + 4), title, body)


def text_timeline(hops: Sequence[tuple[str, float, float]]) -> list[str]:
    """The same timeline for a terminal: each hop's bar placed where it starts, with its duration."""
    end = max((finish for _, _, finish in hops), default=0.0) or 1.0
    width = max((len(label) for label, _, _ in hops), default=0)
    rows = []
    for label, start, finish in hops:
        first = round(TEXT_BAR_WIDTH * start / end)
        length = max(1, round(TEXT_BAR_WIDTH * (finish - start) / end))
        rows.append(f"  {label:<{width}}  {' ' * first}{'█' * length:<{TEXT_BAR_WIDTH - first}}  "
                    f"{start:6.2f} -> {finish:6.2f} s")  # fmt: skip
    return rows


def html_page(title: str, sections: Sequence[tuple[str, str]]) -> str:
    """One self-contained page: each section a heading and an SVG (or text, shown as it is)."""
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{escape(title)}</title>",
        "<body style='font-family:sans-serif;max-width:800px;margin:auto'>",
        f"<h1>{escape(title)}</h1>",
    ]
    for heading, content in sections:
        shown = content if content.startswith("<svg") else f"<pre>{escape(content)}</pre>"
        parts.append(f"<h2>{escape(heading)}</h2>{shown}")
    return "".join(parts) + "</body>"


def cost_chart(report: dict[str, Any], top: int = 12) -> str:
    """The `top` costliest lines of a cost report (devtools.cost), in dollars a month."""
    ranked = sorted(report["lines"], key=lambda line: line["monthly_usd"], reverse=True)[:top]
    items = [(f"{line['service']}: {line['item']}", float(line["monthly_usd"])) for line in ranked]
    total = report["monthlyUsd"]
    return bars(f"{report['environment']}: the {len(items)} costliest lines of ${total:,.2f} a month", items, "$")
