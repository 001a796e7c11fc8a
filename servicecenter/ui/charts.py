"""Charts as SVG, drawn on the server: lines against a target, grouped bars, horizontal bars.

No chart library and no script: each chart is an `<svg role="img">` with a title and a description for
screen readers (ids from the chart's `name`, unique on its page), colours come from classes in app.css
(the CSP forbids inline styles), and the page puts a table with the same numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["Series", "bar_chart", "hbar_chart", "line_chart", "nice_max"]

WIDTH, HEIGHT = 640, 250
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 50


@dataclass(frozen=True)
class Series:
    """One line or one colour of bars: its name (legend) and values (None: no value)."""

    name: str
    values: Sequence[float | None]


def nice_max(value: float) -> float:
    """A round upper end for a count axis that shows `value`: a whole number of round steps."""
    step = _step(value)
    return step * max(1, -(-value // step))


def _step(value: float) -> float:
    """A round step (1, 2 or 5 × 10^k, at least 1) that divides 0..`value` into at most five parts."""
    magnitude = 1.0
    while True:
        for factor in (1, 2, 5):
            if value <= factor * magnitude * 5:
                return factor * magnitude
        magnitude *= 10


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    return f"{value:,.0f}".replace(",", ".")


def _frame(name: str, title: str, desc: str, body: list[str]) -> Markup:
    n = escape(name)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" preserveAspectRatio="xMidYMid meet">'
        f'<title id="chart-{n}-title">{escape(title)}</title><desc id="chart-{n}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _y_axis(top: float, percent: bool) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    step = 0.25 if percent else _step(top)
    parts = []
    for i in range(int(round(top / step)) + 1):
        value = i * step
        y = HEIGHT - BOTTOM - plot_h * value / top
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value, percent)}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[str]:
    """Labels under the axis, thinned out to about twelve; a long one on two lines."""
    every = max(1, -(-len(labels) // 12))
    parts = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every:
            continue
        first, _, second = label.partition(" ") if len(label) > 12 else (label, "", "")
        lines = [first, second] if second else [first]
        spans = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if n == 0 else 12}">{escape(text)}</tspan>'
            for n, text in enumerate(lines)
        )
        parts.append(
            f'<text class="chart-tick" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{spans}</text>'
        )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts, x = [], LEFT
    for i, name in enumerate(names, start=1):
        parts.append(f'<rect class="chart-series-{i}" x="{x}" y="{HEIGHT - 14}" width="10" height="10"/>')
        parts.append(f'<text class="chart-legend" x="{x + 14}" y="{HEIGHT - 5}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def line_chart(
    name: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    target: float | None = None,
    target_label: str = "",
) -> Markup:
    """Rates (0–1) over time as lines, with a dashed target line; a missing value breaks the line."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    xs = [LEFT + (i * step if len(labels) > 1 else plot_w / 2) for i in range(len(labels))]

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - plot_h * min(max(value, 0.0), 1.0)

    body = _y_axis(1.0, percent=True)
    if target is not None:
        body.append(
            f'<line class="chart-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" y2="{y(target):.1f}"/>'
        )
        body.append(
            f'<text class="chart-target-label" x="{WIDTH - RIGHT - 4}" y="{y(target) - 5:.1f}" '
            f'text-anchor="end">{escape(target_label)}</text>'
        )
    for i, line in enumerate(series, start=1):
        path, pen_down = [], False
        for x, value in zip(xs, line.values, strict=True):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y(value):.1f}")
            pen_down = True
            body.append(f'<circle class="chart-series-{i}" cx="{x:.1f}" cy="{y(value):.1f}" r="2.5"/>')
        if path:
            body.append(f'<path class="chart-line chart-series-{i}" d="{" ".join(path)}"/>')
    body += _x_labels(labels, xs)
    body += _legend([s.name for s in series])
    return _frame(name, title, desc, body)


def bar_chart(name: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """Counts per category as grouped vertical bars, one colour per series."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max((v or 0 for s in series for v in s.values), default=0))
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    body = _y_axis(top, percent=False)
    for i, bars in enumerate(series):
        for j, value in enumerate(bars.values):
            height = plot_h * (value or 0) / top
            x = LEFT + j * group_w + group_w * 0.1 + i * bar_w
            body.append(
                f'<rect class="chart-series-{i + 1}" x="{x:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                f'width="{max(bar_w - 1, 1):.1f}" height="{height:.1f}"><title>{escape(labels[j])}: '
                f"{escape(bars.name)} {_fmt(value or 0, False)}</title></rect>"
            )
    body += _x_labels(labels, [LEFT + (j + 0.5) * group_w for j in range(len(labels))])
    body += _legend([s.name for s in series])
    return _frame(name, title, desc, body)


def hbar_chart(name: str, title: str, desc: str, items: Sequence[tuple[str, int]]) -> Markup:
    """A ranking as horizontal bars with the value at each bar's end."""
    rows = max(len(items), 1)
    row_h = (HEIGHT - TOP - 8) / rows
    label_w = 220
    top = nice_max(max((v for _, v in items), default=0))
    body = []
    for i, (label, value) in enumerate(items):
        y = TOP + i * row_h
        width = (WIDTH - label_w - RIGHT - 50) * value / top
        short = label if len(label) <= 34 else label[:33] + "…"
        body.append(
            f'<text class="chart-tick" x="{label_w - 6}" y="{y + row_h * 0.65:.1f}" text-anchor="end">{escape(short)}</text>'
        )
        body.append(
            f'<rect class="chart-series-1" x="{label_w}" y="{y + row_h * 0.15:.1f}" width="{width:.1f}" '
            f'height="{row_h * 0.7:.1f}"/>'
        )
        body.append(
            f'<text class="chart-value" x="{label_w + width + 4:.1f}" y="{y + row_h * 0.65:.1f}">'
            f"{_fmt(value, False)}</text>"
        )
    return _frame(name, title, desc, body)
