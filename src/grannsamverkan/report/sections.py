"""Extra sections of the yearly report, each a pair of templates under ``templates/sections/``.

A section is a :class:`ReportSection`: ``key`` names the templates (``sections/<key>.md.j2`` and
``sections/<key>.html.j2``), ``title`` is its heading, ``data`` is whatever its templates read
(available to them as ``section.data``). Sections render in the order of ``ReportData.sections``,
after the header and before the goal's figures. To add one (e.g. "Trygga fysiska platser"): write
its two templates and append a ``ReportSection`` where the report is gathered
(``services/report.py``).

The medborgarlöften sections are built from the structs below, already in words (labels and
summaries are made by the domain), so the templates only lay them out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

__all__ = ["ActivityRow", "OfferRow", "PromiseRow", "ReportSection", "WalkPointRow"]


class ReportSection(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    title: str
    data: Any = None


class WalkPointRow(msgspec.Struct, frozen=True, kw_only=True):
    place: str
    problem: str
    action: str
    responsible: str
    deadline: date | None
    status: str
    # the place report that follows the point up (its status is the report's)
    place_report_id: int | None = None
    place_report_url: str | None = None
    place_status: str | None = None


class ActivityRow(msgspec.Struct, frozen=True, kw_only=True):
    held_on: date
    kind: str
    place: str
    participants: int | None
    who: str
    note: str
    walk_points: list[WalkPointRow] = []


class PromiseRow(msgspec.Struct, frozen=True, kw_only=True):
    """One promise as the report shows it; ``status`` is the code (for styling), ``status_label``
    its Swedish word, ``summary`` the measure in words."""

    title: str
    text: str
    promisor: str
    measure: str
    period: str
    status: str
    status_label: str
    summary: str
    status_comment: str = ""
    missed_months: list[str] = []
    activities: list[ActivityRow] = []


class OfferRow(msgspec.Struct, frozen=True, kw_only=True):
    area_name: str
    offered_on: date
    how: str
    priority_rank: int | None
    group: str | None
