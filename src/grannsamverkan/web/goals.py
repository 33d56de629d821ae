"""The goals page: the year's new groups against the kommun's goal, with the report's chart."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from grannsamverkan.db import goals
from grannsamverkan.domain.goals import cumulative_series
from grannsamverkan.errors import GrannsamverkanError
from grannsamverkan.http.common import Caller, Db, today_in_sweden
from grannsamverkan.report.chart import render_chart
from grannsamverkan.web import context as form
from grannsamverkan.web.context import default_kommun, kommun_choices, page, redirect, visible_kommun


class GoalPages(Controller):
    path = "/mal"
    include_in_schema = False

    @get("/", opt={"capability": "read"})
    async def index(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: FromQuery[str | None] = None,
        ar: FromQuery[int | None] = None,
    ) -> Template:
        return await goal_page(request, db, principal, kommun, ar)

    @post("/", opt={"capability": "write"})
    async def set_goal(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template | Redirect:
        data = await request.form()
        kommun = form.text(data, "kommun")
        year = form.integer(data, "year")
        try:
            target = form.integer(data, "target_new_groups")
            meetings = form.text(data, "target_info_meetings", required=False)
            await goals.put_goal(
                db,
                principal,
                kommun or "",
                year,
                goals.GoalTargets(
                    target_new_groups=target, target_info_meetings=form.integer(data, "target_info_meetings") if meetings else None
                ),
            )
        except GrannsamverkanError as exc:
            return await goal_page(request, db, principal, kommun, year, failure=exc)
        return redirect("/mal", done="mal", kommun=kommun, ar=year)


async def goal_page(
    request: Request[Any, Any, Any],
    db: Any,
    principal: Any,
    kommun: str | None,
    year: int | None,
    *,
    failure: GrannsamverkanError | None = None,
) -> Template:
    today = today_in_sweden()
    year = year or today.year
    goals.check_year(year, "ar")
    code = kommun or default_kommun(principal)
    context: dict[str, Any] = {
        "choices": await kommun_choices(db, principal),
        "year": year,
        "kommun_code": code,
        "kommun": None,
        "goal": None,
        "status": None,
        "chart": None,
        "failure": failure,
    }
    if code is not None:
        context["kommun"] = k = await visible_kommun(db, principal, code)
        found, _ = await goals.list_goals(db, in_kommuner=[code], year=year, limit=1)
        if found:
            status = (await goals.evaluate(db, found, today))[0]
            context.update(
                goal=found[0],
                status=status,
                chart=render_chart(cumulative_series(status), title=f"Nya grupper {year} i {k.name}", id_prefix="goal-chart"),
            )
    return page(request, "goals.html.j2", status_code=failure.status if failure else 200, **context)
