"""The yearly written summary for the follow-up council: gathered once for the API, the pages and
the command line (``report`` in the CLI, ``GET /api/v1/reports/…``, the page ``/loften/rapport``).

It covers the kommun's yearly goal (when one is set) and every medborgarlöfte whose period meets
the year: status, activities, missed occurrences, a trygghetsvandring's protocol, the areas
offered grannsamverkan and whether they formed a group. Further sections are appended to
``sections`` here (see ``report/sections.py``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import asyncpg

from grannsamverkan.db import goals, kommuner
from grannsamverkan.db import promises as promise_db
from grannsamverkan.domain.promises import (
    ACTIVITY_KINDS,
    MEASURES,
    OFFER_HOW,
    PROMISORS,
    WALK_POINT_STATUSES,
)
from grannsamverkan.errors import NotFound
from grannsamverkan.report import (
    ActivityRow,
    OfferRow,
    PriorityAreaRow,
    PromiseRow,
    ReportData,
    ReportSection,
    WalkPointRow,
    render_html,
    render_markdown,
)
from grannsamverkan.report.places import places_section
from grannsamverkan.services import promises
from grannsamverkan.services.promises import PromiseState

__all__ = ["render", "report_data", "yearly_report"]


def report_data(source: goals.ReportSource) -> ReportData:
    """The report's view of what the database gave for the goal (moved unchanged from ``api/goals.py``)."""
    return ReportData(
        kommun=source.kommun,
        kommun_name=source.kommun_name,
        year=source.year,
        as_of=source.as_of,
        goal=source.goal,
        meetings=source.meetings,
        priority_areas=[
            PriorityAreaRow(rank=p.rank, name=p.name, households=p.households, burglaries=p.burglaries, score=p.score)
            for p in source.priority_areas
        ],
    )


def render(data: ReportData, fmt: Literal["md", "html"]) -> str:
    return render_markdown(data) if fmt == "md" else render_html(data)


def _period(p: promise_db.Promise) -> str:
    if p.period_start == date(p.period_start.year, 1, 1) and p.period_end == date(p.period_start.year, 12, 31):
        return f"år {p.period_start.year}"
    return f"{p.period_start.isoformat()}–{p.period_end.isoformat()}"


def _activity_row(a: promise_db.Activity) -> ActivityRow:
    return ActivityRow(
        held_on=a.held_on,
        kind=ACTIVITY_KINDS.get(a.kind, a.kind),
        place=a.place or (a.area_name or ""),
        participants=a.participants,
        who=a.who,
        note=a.note,
        walk_points=[
            WalkPointRow(
                place=w.place,
                problem=w.problem,
                action=w.action,
                responsible=w.responsible,
                deadline=w.deadline,
                status=WALK_POINT_STATUSES.get(w.status, w.status),
                place_report_id=w.place_report_id,
                place_report_url=w.place_report_url,
                place_status=w.place_status_name,
            )
            for w in a.walk_points
        ],
    )


async def _promise_rows(conn: asyncpg.Connection, states: list[PromiseState], as_of: date) -> list[PromiseRow]:
    rows = []
    for s in states:
        p = s.promise
        activities = await promise_db.list_activities(
            conn, in_kommuner=None, start=p.period_start, end=min(p.period_end, as_of), promise_id=p.id
        )
        rows.append(
            PromiseRow(
                title=p.title,
                text=p.text,
                promisor=PROMISORS.get(p.promisor, p.promisor),
                measure=MEASURES.get(p.measure, p.measure),
                period=_period(p),
                status=s.progress.status,
                status_label=s.status_label,
                summary=s.summary,
                status_comment=p.status_comment,
                missed_months=s.progress.missed_months,
                activities=[_activity_row(a) for a in activities],
            )
        )
    return rows


def _offer_rows(offers: list[promise_db.AreaOffer]) -> list[OfferRow]:
    return [
        OfferRow(
            area_name=o.area_name,
            offered_on=o.offered_on,
            how=OFFER_HOW.get(o.how, o.how),
            priority_rank=o.priority_rank,
            group=None
            if o.group_id is None
            else (
                f"{o.group_name} (bildad {o.group_established_on.isoformat()})"
                if o.group_established_on
                else f"{o.group_name} (under bildande)"
            ),
        )
        for o in offers
    ]


async def yearly_report(
    conn: asyncpg.Connection, kommun: str, year: int, as_of: date, scope: list[str] | None, *, top: int = 10
) -> ReportData:
    """The kommun's report for ``year`` judged at ``as_of``: 404 when it has neither a goal nor
    a promise in the year (or is outside the caller's scope)."""
    promises.check_year(year)
    await kommuner.require_known(conn, [kommun])
    if scope is not None and kommun not in scope:
        raise NotFound("goal.not_set", kommun=kommun, year=year)
    states = [
        s
        for s in await promises.promise_states(conn, scope, [kommun], year, as_of)
        if s.promise.kommun == kommun or kommun in s.promise.also_kommuner
    ]
    try:
        data = report_data(await goals.report_source(conn, kommun, year, as_of, scope, top=top))
    except NotFound:
        if not states:
            raise  # neither a goal nor a promise: the goal's 404, as before promises
        data = report_data(
            goals.ReportSource(
                kommun=kommun,
                kommun_name=(await kommuner.get_kommun(conn, kommun)).name,
                year=year,
                as_of=as_of,
                goal=None,
                meetings=(await goals.meeting_records(conn, [kommun], year)).get(kommun, []),
                priority_areas=await goals.priority_areas_without_group(conn, kommun, as_of, limit=top),
            )
        )
    start, end = date(year, 1, 1), min(date(year, 12, 31), as_of)
    offers = await promise_db.list_offers(conn, in_kommuner=[kommun], start=start, end=end)
    sections = [ReportSection(key="promises", title="Medborgarlöften", data=await _promise_rows(conn, states, as_of))]
    if offers or any(s.promise.counts == "offered_areas" for s in states):
        sections.append(ReportSection(key="offers", title="Områden som erbjudits grannsamverkan", data=_offer_rows(offers)))
    sections.append(ReportSection(key="places", title="Trygga fysiska platser", data=await places_section(conn, kommun, year)))
    summary_due = (await promise_db.council_meetings(conn, [kommun], year)).get(kommun)
    return ReportData(
        kommun=data.kommun,
        kommun_name=data.kommun_name,
        year=data.year,
        as_of=data.as_of,
        goal=data.goal,
        meetings=data.meetings,
        priority_areas=data.priority_areas,
        sections=sections,
        summary_due=summary_due,
    )
