"""The yearly written summary for the follow-up council (Markdown or HTML, in Swedish).

A presentation module: it turns a :class:`ReportData` (gathered by the CLI or API from the
database and the domain) into text. No I/O of its own; templates ship inside the package.
"""

from grannsamverkan.report.chart import render_chart
from grannsamverkan.report.render import (
    PriorityAreaRow,
    ReportData,
    format_percent,
    format_signups,
    render_html,
    render_markdown,
)
from grannsamverkan.report.sections import ActivityRow, OfferRow, PromiseRow, ReportSection, WalkPointRow

__all__ = [
    "ActivityRow",
    "OfferRow",
    "PriorityAreaRow",
    "PromiseRow",
    "ReportData",
    "ReportSection",
    "WalkPointRow",
    "format_percent",
    "format_signups",
    "render_chart",
    "render_html",
    "render_markdown",
]
