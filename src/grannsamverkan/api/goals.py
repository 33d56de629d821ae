"""Goals, information meetings and the yearly report over HTTP: parse, call db and domain, answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, delete, get, post, put
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from grannsamverkan.db import goals, kommuner
from grannsamverkan.domain.goals import GoalStatus, GoalStatusCode
from grannsamverkan.http.common import Caller, Db, KommunFilter, Limit, Offset, Page, document_headers, today_in_sweden
from grannsamverkan.services.report import render, yearly_report

KommunPath = Annotated[str, PathParameter(description="SCB kommun code, e.g. 2283")]
YearPath = Annotated[int, PathParameter(description="calendar year, e.g. 2026")]
MeetingId = Annotated[int, PathParameter(ge=1, description="meeting id")]
AsOf = Annotated[
    date | None,
    QueryParameter(description="the day to judge the goal at (YYYY-MM-DD, inclusive); default today in Sweden"),
]
YearFilter = Annotated[int | None, QueryParameter(ge=goals.FIRST_YEAR, le=goals.LAST_YEAR, description="calendar year")]


class GoalSummary(msgspec.Struct, kw_only=True):
    """One item of ``GET /api/v1/goals``: the goal and its counts at ``as_of`` (no group lists)."""

    kommun: str
    year: int
    as_of: date
    target_new_groups: int
    target_info_meetings: int | None
    new_groups: int
    expected_by_now: float
    info_meetings: int
    expected_meetings_by_now: float | None
    status: GoalStatusCode
    updated_at: datetime


class GoalController(Controller):
    path = "/api/v1/goals"
    tags = ["goals"]

    @put(
        "/{kommun:str}/{year:int}",
        operation_id="putGoal",
        opt={"capability": "write"},
        status_code=HTTP_200_OK,
        responses={HTTP_201_CREATED: ResponseSpec(data_container=GoalStatus, description="the goal was set for the first time")},
    )
    async def put_goal(
        self, db: Db, principal: Caller, kommun: KommunPath, year: YearPath, data: JSONBody[goals.GoalTargets]
    ) -> Response[GoalStatus]:
        """Set the kommun's goal for a calendar year (replaces an earlier one); answers the goal as
        ``GET`` does today. 201 when it is new, 200 when it replaced one."""
        _, created = await goals.put_goal(db, principal, kommun, year, data)
        status = await goals.goal_status(db, kommun, year, today_in_sweden(), principal.scope)
        return Response(status, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/{kommun:str}/{year:int}", operation_id="getGoal", opt={"capability": "read"})
    async def get_goal(self, db: Db, principal: Caller, kommun: KommunPath, year: YearPath, as_of: AsOf = None) -> GoalStatus:
        """The year's new groups (established in that calendar year in the kommun; groups that
        existed before never count), the pro-rata expectation at ``as_of``, the status, and the
        groups still forming with their sign-up share."""
        return await goals.goal_status(db, kommun, year, as_of or today_in_sweden(), principal.scope)

    @get("/", operation_id="listGoals", opt={"capability": "read"})
    async def list_goals(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        year: YearFilter = None,
        as_of: AsOf = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[GoalSummary]:
        """The goals the caller may see (newest year first), each judged at ``as_of``."""
        if kommun:
            await kommuner.require_known(db, kommun)
        items, total = await goals.list_goals(db, in_kommuner=principal.visible_kommuner(kommun), year=year, limit=limit, offset=offset)
        statuses = await goals.evaluate(db, items, as_of or today_in_sweden())
        return Page(
            items=[
                GoalSummary(
                    kommun=s.kommun,
                    year=s.year,
                    as_of=s.as_of,
                    target_new_groups=s.target_new_groups,
                    target_info_meetings=s.target_info_meetings,
                    new_groups=s.new_groups,
                    expected_by_now=s.expected_by_now,
                    info_meetings=s.info_meetings,
                    expected_meetings_by_now=s.expected_meetings_by_now,
                    status=s.status,
                    updated_at=g.updated_at,
                )
                for g, s in zip(items, statuses, strict=True)
            ],
            total=total,
        )


class MeetingController(Controller):
    path = "/api/v1/meetings"
    tags = ["goals"]

    @post("/", operation_id="createMeeting", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[goals.MeetingCreate]) -> goals.Meeting:
        """Record an information meeting on grannsamverkan or byavakt; the year's goal counts it."""
        return await goals.create_meeting(db, principal, data)

    @get("/", operation_id="listMeetings", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        year: YearFilter = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[goals.Meeting]:
        """Meetings the caller may see, by date."""
        if kommun:
            await kommuner.require_known(db, kommun)
        items, total = await goals.list_meetings(db, in_kommuner=principal.visible_kommuner(kommun), year=year, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @get("/{meeting_id:int}", operation_id="getMeeting", opt={"capability": "read"})
    async def read(self, db: Db, principal: Caller, meeting_id: MeetingId) -> goals.Meeting:
        return await goals.get_meeting(db, meeting_id, principal.scope)

    @delete("/{meeting_id:int}", operation_id="deleteMeeting", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, meeting_id: MeetingId) -> None:
        """Remove a meeting recorded by mistake (kept in the audit trail)."""
        await goals.delete_meeting(db, principal, meeting_id)


MARKDOWN = "text/markdown"
REPORT_TYPES = [MediaType.HTML.value, MARKDOWN]


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["goals"]

    @get(
        "/{kommun:str}/{year:int}",
        operation_id="getReport",
        opt={"capability": "read"},
        media_type=MediaType.HTML,
        responses={406: ResponseSpec(data_container=None, description="neither text/html nor text/markdown is acceptable")},
    )
    async def report(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: KommunPath,
        year: YearPath,
        as_of: AsOf = None,
        format: Annotated[
            Literal["md", "html"] | None,
            QueryParameter(description="overrides the Accept header: md (text/markdown) or html (text/html)"),
        ] = None,
    ) -> Response[str]:
        """The year's written summary for the follow-up council, in Swedish: every medborgarlöfte
        whose period meets the year (status, activities, missed occurrences, a trygghetsvandring's
        protocol), the areas offered grannsamverkan, goals and outcome, new groups with their
        areas and sign-up shares, meetings, the top priority areas without a group (Empirical
        Bayes over the last 12 months) and a chart of new groups against the goal (when a goal
        is set). 404 when the kommun has neither a goal nor a promise in the year.
        ``Accept: text/html`` (the default) gives one self-contained HTML page with an inline SVG
        chart; ``Accept: text/markdown`` gives Markdown."""
        if format is None:
            chosen = request.accept.best_match(REPORT_TYPES)
            if chosen is None:
                raise HTTPException(
                    status_code=406,
                    detail=f"the report is served as {' or '.join(REPORT_TYPES)} (or use ?format=md|html)",
                )
            format = "md" if chosen == MARKDOWN else "html"
        data = await yearly_report(db, kommun, year, as_of or today_in_sweden(), principal.scope)
        text = render(data, format)
        media_type = f"{MARKDOWN}; charset=utf-8" if format == "md" else "text/html; charset=utf-8"
        return Response(text, media_type=media_type, headers={"Vary": "Accept", **document_headers(text)})
