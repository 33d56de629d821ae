"""The report's chart, drawn as SVG by plain string building.

New groups over the year as a cumulative step line (one step per group, on the day it was
established) against the straight goal line from 0 at the start of 1 January to the target at the
end of 31 December. The x axis is the year, one unit per day; a group established on day *d* lifts
the line at the start of that day, and the goal line at the end of day *d* stands at the
``expected_by_now`` of that day.

The SVG is self-contained (no fonts or scripts fetched), accessible (``role="img"``, an
``aria-label`` with the numbers, ``<title>`` and ``<desc>``) and well-formed XML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from grannsamverkan.domain.goals import ProgressSeries

__all__ = ["MONTH_ABBREVIATIONS", "MONTH_NAMES", "render_chart"]

MONTH_ABBREVIATIONS: Final = (
    "jan",
    "feb",
    "mar",
    "apr",
    "maj",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
)
MONTH_NAMES: Final = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

ACTUAL_COLOUR: Final = "#1d5fa6"
GOAL_COLOUR: Final = "#b4541a"
GRID_COLOUR: Final = "#d9dde3"
TEXT_COLOUR: Final = "#222"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _y_step(top: int) -> int:
    """A tick step (1, 2, 5, 10, 20, …) giving at most eight intervals."""
    step, factors = 1, (2, 2.5, 2)
    i = 0
    while top / step > 8:
        step = int(step * factors[i % 3])
        i += 1
    return step


def _short_date(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the SVG and how days and counts map onto it."""

    left: int
    top: int
    plot_w: int
    plot_h: int
    start: date
    n_days: int
    y_top: int
    step: int

    def x(self, days: float) -> float:
        return self.left + self.plot_w * days / self.n_days

    def y(self, value: float) -> float:
        return self.top + self.plot_h * (1 - value / self.y_top)

    def day(self, day: date) -> int:
        """Days from 1 January to the start of ``day``."""
        return (day - self.start).days

    @property
    def base(self) -> str:
        return _num(self.top + self.plot_h)


def render_chart(
    series: ProgressSeries,
    *,
    title: str,
    width: int = 760,
    height: int = 360,
    id_prefix: str = "chart",
) -> str:
    """The chart as an ``<svg>`` element (no XML declaration), ready to embed in HTML."""
    left, right, top, bottom = 52, 24, 56, 44
    count = len(series.steps)
    y_top = max(series.target, count, 1)
    step = _y_step(y_top)
    frame = _Frame(
        left=left,
        top=top,
        plot_w=width - left - right,
        plot_h=height - top - bottom,
        start=date(series.year, 1, 1),
        n_days=series.days_in_year,
        y_top=-(-y_top // step) * step,  # round the axis up to a whole tick
        step=step,
    )
    return "\n".join(
        [
            *_head(series, title=title, width=width, height=height, id_prefix=id_prefix),
            *_y_axis(frame),
            *_x_axis(frame, series.year),
            _goal_line(frame, series.target),
            *_as_of_marker(frame, series),
            *_actual_line(frame, series),
            _legend(left, count, series.target, series.year),
            "</svg>",
        ]
    )


def _head(series: ProgressSeries, *, title: str, width: int, height: int, id_prefix: str) -> list[str]:
    count = len(series.steps)
    label = f"Nya grupper {series.year}: {count} av målet {series.target}" + (
        f" per {_short_date(series.through)}." if series.through else ". Året har inte börjat."
    )
    description = (
        "Trappkurva över antalet nya grupper, ett steg för varje grupp den dag den bildades, "
        f"och en rak mållinje från 0 den 1 januari till {series.target} den 31 december."
    )
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_attr(label)}" '
        f'aria-describedby="{title_id} {desc_id}" '
        f'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(label + " " + description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]


def _y_axis(f: _Frame) -> list[str]:
    """Horizontal grid lines and the counts beside them."""
    out = ['<g class="y-axis">']
    for value in range(0, f.y_top + 1, f.step):
        yy = _num(f.y(value))
        out.append(f'<line x1="{f.left}" y1="{yy}" x2="{f.left + f.plot_w}" y2="{yy}" stroke="{GRID_COLOUR}" stroke-width="1"/>')
        out.append(f'<text x="{f.left - 8}" y="{yy}" text-anchor="end" dominant-baseline="middle" fill="{TEXT_COLOUR}">{value}</text>')
    middle = _num(f.top + f.plot_h / 2)
    out.append(
        f'<text x="14" y="{middle}" text-anchor="middle" fill="{TEXT_COLOUR}" transform="rotate(-90 14 {middle})">Antal grupper</text>'
    )
    out.append("</g>")
    return out


def _x_axis(f: _Frame, year: int) -> list[str]:
    """Month ticks with their names centred in each month, the base line and the right edge."""
    out = ['<g class="x-axis">']
    for month in range(1, 13):
        first = f.day(date(year, month, 1))
        nxt = f.n_days if month == 12 else f.day(date(year, month + 1, 1))
        xx = _num(f.x(first))
        out.append(
            f'<line x1="{xx}" y1="{_num(f.top)}" x2="{xx}" y2="{_num(f.top + f.plot_h + 5)}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_num(f.x((first + nxt) / 2))}" y="{_num(f.top + f.plot_h + 20)}" '
            f'text-anchor="middle" fill="{TEXT_COLOUR}">{MONTH_ABBREVIATIONS[month - 1]}</text>'
        )
    out.append(f'<line x1="{f.left}" y1="{f.base}" x2="{f.left + f.plot_w}" y2="{f.base}" stroke="#555" stroke-width="1"/>')
    out.append(
        f'<line x1="{f.left + f.plot_w}" y1="{_num(f.top)}" x2="{f.left + f.plot_w}" y2="{f.base}" '
        f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
    )
    out.append("</g>")
    return out


def _goal_line(f: _Frame, target: int) -> str:
    return (
        f'<line class="goal-line" x1="{_num(f.x(0))}" y1="{_num(f.y(0))}" x2="{_num(f.x(f.n_days))}" '
        f'y2="{_num(f.y(target))}" stroke="{GOAL_COLOUR}" stroke-width="2" '
        'stroke-dasharray="7 5"/>'
    )


def _as_of_marker(f: _Frame, series: ProgressSeries) -> list[str]:
    """A dotted line at the end of the report's day, unless that is the year's end."""
    if series.through is None or series.through >= date(series.year, 12, 31):
        return []
    xx = _num(f.x(f.day(series.through) + 1))
    return [
        f'<g class="as-of"><line x1="{xx}" y1="{_num(f.top)}" x2="{xx}" y2="{f.base}" '
        'stroke="#888" stroke-width="1" stroke-dasharray="2 3"/>'
        f'<text x="{xx}" y="{_num(f.top - 4)}" text-anchor="middle" fill="#555" font-size="11">'
        f"{escape(_short_date(series.through))}</text></g>"
    ]


def _actual_line(f: _Frame, series: ProgressSeries) -> list[str]:
    """The step line, one step per group on the day it was established, and a dot per group."""
    if series.through is None:
        return []
    parts = [f"M{_num(f.x(0))} {_num(f.y(0))}"]
    for s in series.steps:
        parts.append(f"H{_num(f.x(f.day(s.on)))}")
        parts.append(f"V{_num(f.y(s.cumulative))}")
    parts.append(f"H{_num(f.x(f.day(series.through) + 1))}")
    out = [
        f'<path class="actual-line" d="{" ".join(parts)}" fill="none" stroke="{ACTUAL_COLOUR}" stroke-width="2.5" stroke-linejoin="round"/>'
    ]
    for s in series.steps:
        out.append(
            f'<circle class="step" cx="{_num(f.x(f.day(s.on)))}" cy="{_num(f.y(s.cumulative))}" '
            f'r="3.5" fill="{ACTUAL_COLOUR}"><title>{escape(s.name)}, bildad '
            f"{s.on.isoformat()} (nr {s.cumulative})</title></circle>"
        )
    return out


def _legend(lx: int, count: int, target: int, year: int) -> str:
    ly = 22
    return (
        f'<g class="legend">'
        f'<line x1="{lx}" y1="{ly}" x2="{lx + 28}" y2="{ly}" stroke="{ACTUAL_COLOUR}" stroke-width="2.5"/>'
        f'<text x="{lx + 36}" y="{ly}" dominant-baseline="middle" fill="{TEXT_COLOUR}">'
        f"Nya grupper ({count})</text>"
        f'<line x1="{lx + 190}" y1="{ly}" x2="{lx + 218}" y2="{ly}" stroke="{GOAL_COLOUR}" '
        'stroke-width="2" stroke-dasharray="7 5"/>'
        f'<text x="{lx + 226}" y="{ly}" dominant-baseline="middle" fill="{TEXT_COLOUR}">'
        f"Mål: {target} under {year} (jämn takt)</text>"
        "</g>"
    )
