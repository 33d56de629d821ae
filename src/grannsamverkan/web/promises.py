"""Medborgarlöften on the web: the kommun's promises at a glance, a quick form to log an activity
(made for a phone: police on the move in Ramsele), and the yearly report as a page."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from grannsamverkan.db import promises as store
from grannsamverkan.domain.promises import ACTIVITY_KINDS, MEASURES, OWNER_STATUSES, PROMISORS, WALK_POINT_STATUSES
from grannsamverkan.errors import FieldError, GrannsamverkanError, InvalidInput, NotFound
from grannsamverkan.http.common import Caller, Db, today_in_sweden
from grannsamverkan.http.problem import validation_reason
from grannsamverkan.services import promises
from grannsamverkan.services.report import render, yearly_report
from grannsamverkan.web import context as form
from grannsamverkan.web.context import default_kommun, kommun_choices, page, redirect, visible_kommun

#: The report page is one self-contained document with its own inline style and no script.
REPORT_CSP: Final = ResponseHeader(
    name="Content-Security-Policy",
    value=("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"),
)


class PromisePages(Controller):
    path = "/loften"
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
        year = ar or today_in_sweden().year
        promises.check_year(year, "ar")
        code = kommun or default_kommun(principal)
        context: dict[str, Any] = {
            "choices": await kommun_choices(db, principal),
            "year": year,
            "kommun_code": code,
            "kommun": None,
            "states": [],
            "summary_due": None,
            "walks": {},
        }
        if code is not None:
            context["kommun"] = await visible_kommun(db, principal, code)
            context["states"] = await promises.promise_states(db, principal.scope, [code], year, today_in_sweden())
            context["summary_due"] = (await store.council_meetings(db, [code], year)).get(code)
            walks = await store.list_activities(
                db, in_kommuner=[code], start=date(year, 1, 1), end=date(year, 12, 31), kind="trygghetsvandring"
            )
            context["walks"] = {w.promise_id: [x for x in walks if x.promise_id == w.promise_id] for w in walks}
        return page(
            request,
            "promises.html.j2",
            MEASURES=MEASURES,
            PROMISORS=PROMISORS,
            OWNER_STATUSES=OWNER_STATUSES,
            POINT_STATUSES=WALK_POINT_STATUSES,
            **context,
        )

    @get("/logga", opt={"capability": "log"})
    async def log_form(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: FromQuery[str | None] = None,
        lofte: FromQuery[int | None] = None,
    ) -> Template:
        return await log_page(request, db, principal, kommun, lofte)

    @post("/logga", opt={"capability": "log"})
    async def log(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template | Redirect:
        data = await request.form()
        kommun = form.text(data, "kommun", required=False)
        chosen = form.text(data, "promise_id", required=False)
        try:
            participants = form.text(data, "participants", required=False)
            fields = {
                "kommun": kommun,
                "promise_id": int(chosen) if chosen and chosen.isdigit() else None,
                "held_on": form.day(data, "held_on", today_in_sweden()),
                "kind": form.text(data, "kind", required=False),
                "place": form.text(data, "place", required=False) or "",
                "participants": form.integer(data, "participants") if participants else None,
                "who": form.text(data, "who", required=False) or "",
                "note": form.text(data, "note", required=False, max_length=2000) or "",
                "topic": form.text(data, "topic", required=False),
            }
            try:
                entered = msgspec.convert(fields, promises.ActivityInput)
            except msgspec.ValidationError as exc:
                reason = validation_reason(str(exc))
                raise InvalidInput(
                    "request.invalid_value", [FieldError.of("form", "request.invalid_value", reason=reason)], reason=reason
                ) from None
            activity = await promises.log_activity(db, principal, entered)
        except GrannsamverkanError as exc:
            return await log_page(
                request, db, principal, kommun, int(chosen) if chosen and chosen.isdigit() else None, failure=exc, values=dict(data)
            )
        return redirect("/loften", done="aktivitet", kommun=activity.kommun, ar=activity.held_on.year)

    @post("/{promise_id:int}/status", opt={"capability": "write"})
    async def set_status(self, request: Request[Any, Any, Any], db: Db, principal: Caller, promise_id: FromPath[int]) -> Redirect:
        """The owner's status of a qualitative promise, from its card."""
        await store.get_promise(db, promise_id, principal.scope)  # 404 for another kommun's promise, before the form
        data = await request.form()
        chosen = form.text(data, "owner_status", required=False)
        if chosen not in (None, *OWNER_STATUSES):
            raise InvalidInput("form.choose_status", [FieldError.of("owner_status", "form.status_unknown")])
        promise = await promises.set_owner_status(
            db,
            principal,
            promise_id,
            promises.OwnerStatusInput(
                owner_status=chosen,  # type: ignore[arg-type]  # checked against OWNER_STATUSES above
                status_comment=form.text(data, "status_comment", required=False, max_length=2000) or "",
            ),
        )
        return redirect("/loften", done="status", kommun=promise.kommun, ar=promise.period_start.year, anchor=f"lofte-{promise.id}")

    @post("/punkter/{point_id:int}", opt={"capability": "log"})
    async def set_point_status(self, request: Request[Any, Any, Any], db: Db, principal: Caller, point_id: FromPath[int]) -> Redirect:
        """The follow-up walk marks a point of a trygghetsvandring's protocol."""
        await store.get_walk_point(db, point_id, principal.scope)  # 404 for another kommun's point, before the form
        data = await request.form()
        status = form.text(data, "status")
        if status not in WALK_POINT_STATUSES:
            raise InvalidInput("form.choose_status", [FieldError.of("status", "form.status_unknown")])
        point = await promises.set_walk_point_status(db, principal, point_id, status)
        activity = await store.get_activity(db, point.activity_id, principal.scope)
        return redirect(
            "/loften",
            done="punkt",
            kommun=point.kommun,
            ar=activity.held_on.year,
            anchor=f"lofte-{activity.promise_id}" if activity.promise_id else None,
        )

    @get("/rapport", opt={"capability": "read"}, response_headers=[REPORT_CSP])
    async def report(
        self,
        db: Db,
        principal: Caller,
        kommun: FromQuery[str | None] = None,
        ar: FromQuery[int | None] = None,
    ) -> Response[str] | Redirect:
        """The yearly report as the council reads it (the same HTML as ``GET /api/v1/reports``);
        without a kommun, or for a year without goal or promise, back to the promises page."""
        code = kommun or default_kommun(principal)
        year = ar or today_in_sweden().year
        promises.check_year(year, "ar")
        if code is None:
            return redirect("/loften", ar=year)
        await visible_kommun(db, principal, code)
        try:
            data = await yearly_report(db, code, year, today_in_sweden(), principal.scope)
        except NotFound:
            return redirect("/loften", kommun=code, ar=year)
        return Response(render(data, "html"), media_type="text/html; charset=utf-8")


async def log_page(
    request: Request[Any, Any, Any],
    db: Any,
    principal: Any,
    kommun: str | None,
    promise_id: int | None,
    *,
    failure: GrannsamverkanError | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    today = today_in_sweden()
    code = kommun or default_kommun(principal)
    context: dict[str, Any] = {
        "choices": await kommun_choices(db, principal),
        "kommun_code": code,
        "kommun": None,
        "states": [],
        "chosen": promise_id,
        "today": today,
        "failure": failure,
        "values": values or {},
        "KINDS": ACTIVITY_KINDS,
    }
    if code is not None:
        context["kommun"] = await visible_kommun(db, principal, code)
        context["states"] = await promises.promise_states(db, principal.scope, [code], today.year, today)
    return page(request, "promise_log.html.j2", status_code=failure.status if failure else 200, **context)
