"""Horizontal bar charts laid out on the server, drawn as inline SVG by the page
(templates/_charts.html): no script, nothing fetched, the same on paper.

A chart is rows of a label and bars; a bar is one or more segments (stacked). Each
segment knows its place and size in the picture; the template only draws them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

LABEL_WIDTH = 130
PLOT_WIDTH = 300
VALUE_WIDTH = 60
WIDTH = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
BAR = 16
GAP = 10
TOP = 28
LABEL_CHARS = 9


@dataclass(frozen=True)
class Series:
    name: str
    color: str


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    color: str
    series: str
    value: str


@dataclass(frozen=True)
class Bar:
    y: float
    segments: tuple[Segment, ...]
    value_x: float
    value: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    full_label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    height: float
    width: int = WIDTH
    bar: int = BAR
    plot_left: int = LABEL_WIDTH
    plot_bottom: float = field(default=0.0)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above the value (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def bars(
    key: str,
    title: str,
    series: Sequence[Series],
    rows: Sequence[tuple[str, Sequence[float | None]]],
    *,
    stacked: bool = False,
    top: float | None = None,
    shown: Callable[[float], str] = _number,
) -> Chart:
    """rows: (label, a value per series). Grouped, each series is a bar of its own;
    stacked, the series are segments of one bar. None is a missing figure: no bar, a dash."""
    if stacked:
        largest = max((sum(v for v in values if v) for _, values in rows), default=0)
    else:
        largest = max((v for _, values in rows for v in values if v), default=0)
    if top is not None:
        scale, step = top, top / 4
    else:  # whole steps of 1, 2 or 5 × 10ⁿ, about four of them
        step = max(1.0, nice_ceiling(largest / 4))
        scale = step * max(1, math.ceil(largest / step))
    ticks = tuple(
        Tick(LABEL_WIDTH + PLOT_WIDTH * i * step / scale, shown(i * step))
        for i in range(round(scale / step) + 1)
    )
    row_height = (1 if stacked else len(series)) * BAR + GAP
    laid: list[Row] = []
    for n, (label, values) in enumerate(rows):
        y = TOP + n * row_height
        parts = list(enumerate(values))
        groups = [parts] if stacked else [[part] for part in parts]
        row_bars = []
        for b, group in enumerate(groups):
            bar_y = y + b * BAR
            x = float(LABEL_WIDTH)
            segments = []
            for s, value in group:
                if not value:
                    continue
                width = PLOT_WIDTH * min(value, scale) / scale
                segments.append(
                    Segment(x, bar_y, width, series[s].color, series[s].name, shown(value))
                )
                x += width
            known = [v for _, v in group if v is not None]
            row_bars.append(Bar(bar_y, tuple(segments), x + 4, shown(sum(known)) if known else "—"))
        laid.append(Row(y, _short(label), label, tuple(row_bars)))
    bottom = TOP + len(rows) * row_height
    return Chart(
        key=key,
        title=title,
        series=tuple(series),
        rows=tuple(laid),
        ticks=ticks,
        height=bottom + 22,
        plot_bottom=bottom,
    )
