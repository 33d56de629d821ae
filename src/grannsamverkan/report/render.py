"""The yearly written summary for the follow-up council, in Swedish, as Markdown or HTML.

Numbers follow Swedish usage: decimal comma, a (non-breaking) space between thousands, a space
before the percent sign ("70 %"). Shares are shown with one decimal rounded *down* ("66,6 %",
"69,9 %"), so a share below the 70 % rule is never printed as 70 %.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Final

import jinja2
import msgspec
from markupsafe import Markup

from grannsamverkan.domain import glossary, numbers
from grannsamverkan.domain.goals import (
    GOAL_STATUS_LABELS,
    GoalStatus,
    GoalStatusCode,
    MeetingRecord,
    counted_meetings,
    cumulative_series,
    expected_by,
)
from grannsamverkan.errors import FieldError, InvalidInput
from grannsamverkan.report.chart import MONTH_ABBREVIATIONS, render_chart
from grannsamverkan.report.sections import ReportSection

__all__ = [
    "PriorityAreaRow",
    "ReportData",
    "format_date",
    "format_decimal",
    "format_number",
    "format_percent",
    "format_signups",
    "render_html",
    "render_markdown",
]

STATUS_LABELS: Final[dict[GoalStatusCode, str]] = GOAL_STATUS_LABELS
GROUP_STATUS_LABELS: Final = glossary.GROUP_STATUSES
KIND_LABELS: Final = glossary.GROUP_KINDS
NBSP: Final = "\u00a0"


class PriorityAreaRow(msgspec.Struct, frozen=True, kw_only=True):
    """One of the top priority areas without a group."""

    rank: int
    name: str
    households: int
    burglaries: float  # a burglary known only as a time window counts in part (as on the priority page)
    score: float


class ReportData(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the report shows; the caller gathers it (goal from ``evaluate_goal``).

    ``goal`` is null for a kommun with promises but no yearly goal (the goal's figures, chart and
    group tables are left out). ``sections`` render after the header, in order (see
    ``report/sections.py``); ``summary_due`` is the council's last meeting of the year.
    """

    kommun: str
    kommun_name: str
    year: int
    as_of: date
    goal: GoalStatus | None
    meetings: list[MeetingRecord] = []
    priority_areas: list[PriorityAreaRow] = []
    sections: list[ReportSection] = []
    summary_due: date | None = None


# --- Swedish number and date formatting ------------------------------------------------------


def format_number(value: int) -> str:
    """``1234567`` → ``"1 234 567"`` (non-breaking spaces)."""
    return numbers.count(value)


def format_decimal(value: float, places: int = 1) -> str:
    """``1234.56`` → ``"1 234,6"``: the pages' rounding (half up from the decimal value)."""
    return numbers.decimal(value, places)


def format_percent(part: int, whole: int) -> str:
    """``part / whole`` as a Swedish percentage with one decimal rounded down: ``"70 %"``,
    ``"66,6 %"``. Exact integer arithmetic; ``"–"`` when ``whole`` is 0."""
    return numbers.percent(part, whole)


def format_signups(signed_up: int, total: int) -> str:
    """``"7 av 10 hushåll (70 %)"``."""
    if total <= 0:
        return "inga hushåll i området"
    return f"{format_number(signed_up)} av {format_number(total)} hushåll ({format_percent(signed_up, total)})"


def format_date(day: date) -> str:
    """``date(2026, 3, 14)`` → ``"14 mars 2026"``."""
    return glossary.long_date(day)


_MD_SPECIAL: Final = set("\\`*_[]<>|~&")


def escape_markdown(text: object) -> str:
    """Make user text inert in Markdown tables: backslash-escape markup, no line breaks."""
    flat = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in flat)


# --- rendering -------------------------------------------------------------------------------


def _environment(*, html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grannsamverkan.report", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        expected=lambda value: numbers.expected(value, 1),
        num=format_number,
        tally=numbers.tally,
        dec=format_decimal,
        longdate=format_date,
        md=escape_markdown,
        status=lambda code: STATUS_LABELS.get(code, code),
        group_status=lambda code: GROUP_STATUS_LABELS.get(code, code),
        kind=lambda code: KIND_LABELS.get(code, code),
    )
    env.globals.update(pct=format_percent, signups=format_signups, months=MONTH_ABBREVIATIONS)
    return env


_MARKDOWN = _environment(html=False)
_HTML = _environment(html=True)


def _context(data: ReportData) -> dict[str, object]:
    goal = data.goal
    common = {
        "data": data,
        "goal": goal,
        "title": f"Uppföljning av medborgarlöfte – {data.kommun_name} {data.year}",
        "meetings": counted_meetings(data.meetings, data.year, data.as_of),
        "priority_areas": sorted(data.priority_areas, key=lambda p: p.rank),
        "sections": data.sections,
    }
    if goal is None:
        return {**common, "series": None, "expected_floor": None, "chart_title": None}
    errors = []
    if goal.year != data.year:
        errors.append(FieldError.of("goal.year", "report.goal_other", value=goal.year, report=data.year))
    if goal.kommun != data.kommun:
        errors.append(FieldError.of("goal.kommun", "report.goal_other", value=goal.kommun, report=data.kommun))
    if errors:
        raise InvalidInput("report.goal_mismatch", errors)
    return {
        **common,
        "series": cumulative_series(goal),
        "expected_floor": math.floor(expected_by(goal.target_new_groups, goal.year, goal.as_of)),
        "chart_title": f"Nya grupper i {data.kommun_name} {data.year} mot målet",
    }


def render_markdown(data: ReportData) -> str:
    """The report as Markdown (the chart is given as a month-by-month table)."""
    return _MARKDOWN.get_template("report.md.j2").render(**_context(data))


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML page: inline CSS, the chart as inline SVG."""
    context = _context(data)
    chart = "" if data.goal is None else render_chart(context["series"], title=context["chart_title"])  # type: ignore[arg-type]
    return _HTML.get_template("report.html.j2").render(chart=Markup(chart), **context)
