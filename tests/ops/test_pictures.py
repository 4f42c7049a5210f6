"""The pictures the tools draw: well-formed SVG with one shape per item, a page around them, and a terminal timeline
whose bars sit where each hop starts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ops.pictures import bars, cost_chart, histogram, html_page, lines, text_timeline, timeline

SVG = "{http://www.w3.org/2000/svg}"


def shapes(svg: str, kind: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f"{SVG}{kind}")


def test_bars_draw_one_rectangle_per_item_scaled_to_the_largest() -> None:
    svg = bars("costs", [("Lambda <requests>", 10.0), ("SQS & more", 5.0)], "$")
    widths = [float(r.get("width", 0)) for r in shapes(svg, "rect")]
    assert len(widths) == 2
    assert widths[0] == 2 * widths[1]
    assert "Lambda <requests>" in [t.text for t in shapes(svg, "text")]  # escaped in the file, whole when read


def test_lines_and_histogram_are_well_formed_even_when_empty() -> None:
    assert shapes(lines("throughput", {"settled/s": [(0, 1.0), (10, 3.0)]}, "s", "orders/s"), "polyline")
    assert shapes(lines("nothing", {}, "s", "orders/s"), "text")
    assert len(shapes(histogram("latency", [1.0, 1.1, 2.0, 3.5], "s", buckets=4), "rect")) == 4


def test_a_timeline_places_each_hop_where_it_starts() -> None:
    hops = [("written", 0.0, 1.0), ("shipped", 1.0, 3.0), ("cached", 3.0, 4.0)]
    starts = [float(r.get("x", 0)) for r in shapes(timeline("journey", hops), "rect")]
    assert starts == sorted(starts)
    rows = text_timeline(hops)
    assert [row.index("█") for row in rows] == sorted(row.index("█") for row in rows)
    assert rows[1].endswith("1.00 ->   3.00 s")


def test_a_page_holds_the_pictures_and_text() -> None:
    page = html_page("run", [("chart", bars("a", [("x", 1.0)], "u")), ("account", "lost 0 < 1")])
    assert page.count("<svg") == 1
    assert "lost 0 &lt; 1" in page


def test_the_cost_chart_shows_the_costliest_lines_first() -> None:
    report = {"environment": "prod", "monthlyUsd": 6.0, "lines": [
        {"service": "SQS", "item": "buffer", "monthly_usd": 1.0},
        {"service": "Lambda", "item": "requests", "monthly_usd": 5.0},
    ]}  # fmt: skip
    labels = [t.text for t in shapes(cost_chart(report), "text")]
    assert labels.index("Lambda: requests") < labels.index("SQS: buffer")
