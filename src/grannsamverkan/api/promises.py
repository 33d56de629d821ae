"""Medborgarlöften over HTTP: promises, activities (with a trygghetsvandring's walk points), areas
offered grannsamverkan and the council's last meeting of the year. Thin: parse, call the use
cases in ``services/promises.py``, answer.

The old goal routes map onto promises: ``PUT /api/v1/goals/{kommun}/{year}`` sets the count
promise(s) of that year (new groups; information meetings when targeted), and ``POST
/api/v1/meetings`` logs an activity of the kind ``informationstraff``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from grannsamverkan.db import kommuner
from grannsamverkan.db import promises as store
from grannsamverkan.domain.promises import ActivityKind, year_period
from grannsamverkan.errors import NotFound
from grannsamverkan.http.common import Caller, Db, KommunFilter, Limit, Offset, Page, today_in_sweden
from grannsamverkan.services import promises
from grannsamverkan.services.promises import PromiseState

PromiseId = Annotated[int, PathParameter(ge=1, description="promise id")]
ActivityId = Annotated[int, PathParameter(ge=1, description="activity id")]
PointId = Annotated[int, PathParameter(ge=1, description="walk point id")]
OfferId = Annotated[int, PathParameter(ge=1, description="area offer id")]
KommunPath = Annotated[str, PathParameter(description="SCB kommun code, e.g. 2283")]
YearPath = Annotated[int, PathParameter(description="calendar year, e.g. 2017")]
YearFilter = Annotated[
    int | None,
    QueryParameter(ge=promises.FIRST_YEAR, le=promises.LAST_YEAR, description="calendar year the period meets"),
]
AsOf = Annotated[
    date | None,
    QueryParameter(description="the day to judge at (YYYY-MM-DD, inclusive); default today in Sweden"),
]


class CouncilMeeting(msgspec.Struct, kw_only=True):
    kommun: str
    year: int
    last_meeting_on: date | None


class PromiseController(Controller):
    path = "/api/v1/promises"
    tags = ["promises"]

    @get("/", operation_id="listPromises", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        year: YearFilter = None,
        as_of: AsOf = None,
    ) -> Page[PromiseState]:
        """The promises the caller sees (of the kommuner asked, whose period meets ``year``), each
        with its progress at ``as_of``: pace and status by its measure (count, schedule, one-off,
        qualitative) and a Swedish summary. Status: not_started, on_track, achieved, behind, missed."""
        if kommun:
            await kommuner.require_known(db, kommun)
            kommun = principal.visible_kommuner(kommun)
            if not kommun:
                return Page(items=[], total=0)
        states = await promises.promise_states(db, principal.scope, kommun, year, as_of or today_in_sweden())
        return Page(items=states, total=len(states))

    @post("/", operation_id="createPromise", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[promises.PromiseInput]) -> PromiseState:
        """Enter a promise as written: who promises, the period (``year`` or two dates) and how it is measured."""
        promise = await promises.create_promise(db, principal, data)
        return (await promises.evaluate(db, [promise], today_in_sweden()))[0]

    @get("/{promise_id:int}", operation_id="getPromise", opt={"capability": "read"})
    async def read(self, db: Db, principal: Caller, promise_id: PromiseId, as_of: AsOf = None) -> PromiseState:
        return await promises.promise_state(db, promise_id, principal.scope, as_of or today_in_sweden())

    @put("/{promise_id:int}", operation_id="replacePromise", opt={"capability": "write"})
    async def replace(self, db: Db, principal: Caller, promise_id: PromiseId, data: JSONBody[promises.PromiseInput]) -> PromiseState:
        """Replace a promise. A yearly goal's promise keeps the goal's kommun, period, measure and
        target (change them with ``PUT /api/v1/goals/{kommun}/{year}``)."""
        promise = await promises.replace_promise(db, principal, promise_id, data)
        return (await promises.evaluate(db, [promise], today_in_sweden()))[0]

    @put("/{promise_id:int}/status", operation_id="setPromiseStatus", opt={"capability": "write"})
    async def set_status(self, db: Db, principal: Caller, promise_id: PromiseId, data: JSONBody[promises.OwnerStatusInput]) -> PromiseState:
        """The owner's status of a qualitative promise (paborjad, genomford, inte_genomford) with a comment."""
        promise = await promises.set_owner_status(db, principal, promise_id, data)
        return (await promises.evaluate(db, [promise], today_in_sweden()))[0]

    @delete("/{promise_id:int}", operation_id="deletePromise", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, promise_id: PromiseId) -> None:
        """Remove a promise entered by mistake; its activities stay, unlinked (kept in the audit trail)."""
        await promises.delete_promise(db, principal, promise_id)


class ActivityController(Controller):
    path = "/api/v1/activities"
    tags = ["promises"]

    @post("/", operation_id="createActivity", opt={"capability": "log"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[promises.ActivityInput]) -> store.Activity:
        """Log an activity (police and coordinators): date, kind, place, participants, who, a note,
        and for a trygghetsvandring the points found on the walk."""
        return await promises.log_activity(db, principal, data)

    @get("/", operation_id="listActivities", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        year: YearFilter = None,
        promise_id: Annotated[int | None, QueryParameter(ge=1, description="only those logged against this promise")] = None,
        kind: Annotated[ActivityKind | None, QueryParameter(description="only activities of this kind")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[store.Activity]:
        """Activities the caller sees, by date."""
        if kommun:
            await kommuner.require_known(db, kommun)
        start, end = year_period(year) if year is not None else (None, None)
        items, total = await store.page_of_activities(
            db,
            in_kommuner=principal.visible_kommuner(kommun),
            start=start,
            end=end,
            promise_id=promise_id,
            kind=kind,
            limit=limit,
            offset=offset,
        )
        return Page(items=items, total=total)

    @get("/{activity_id:int}", operation_id="getActivity", opt={"capability": "read"})
    async def read(self, db: Db, principal: Caller, activity_id: ActivityId) -> store.Activity:
        return await store.get_activity(db, activity_id, principal.scope)

    @delete("/{activity_id:int}", operation_id="deleteActivity", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, activity_id: ActivityId) -> None:
        """Remove an activity logged by mistake (with its walk points; kept in the audit trail)."""
        await promises.delete_activity(db, principal, activity_id)


class WalkPointController(Controller):
    path = "/api/v1/walk-points"
    tags = ["promises"]

    @put("/{point_id:int}/status", operation_id="setWalkPointStatus", opt={"capability": "log"})
    async def set_status(
        self, db: Db, principal: Caller, point_id: PointId, data: JSONBody[promises.WalkPointStatusInput]
    ) -> store.WalkPoint:
        """The follow-up walk marks a point: oppen, pagar or atgardad."""
        return await promises.set_walk_point_status(db, principal, point_id, data.status)


class AreaOfferController(Controller):
    path = "/api/v1/area-offers"
    tags = ["promises"]

    @post("/", operation_id="createAreaOffer", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(self, db: Db, principal: Caller, data: JSONBody[promises.OfferInput]) -> store.AreaOffer:
        """Record that an area (from the priority list) was offered grannsamverkan: date, how
        (brev, mote, annat) and its rank; a count promise of ``offered_areas`` counts it."""
        return await promises.offer_area(db, principal, data)

    @get("/", operation_id="listAreaOffers", opt={"capability": "read"})
    async def index(self, db: Db, principal: Caller, kommun: KommunFilter = None, year: YearFilter = None) -> Page[store.AreaOffer]:
        """Areas offered grannsamverkan, by date, each with the group it has formed since (if any)."""
        if kommun:
            await kommuner.require_known(db, kommun)
        start, end = year_period(year) if year is not None else (None, None)
        items = await store.list_offers(db, in_kommuner=principal.visible_kommuner(kommun), start=start, end=end)
        return Page(items=items, total=len(items))

    @delete("/{offer_id:int}", operation_id="deleteAreaOffer", opt={"capability": "write"}, status_code=HTTP_204_NO_CONTENT)
    async def remove(self, db: Db, principal: Caller, offer_id: OfferId) -> None:
        await promises.withdraw_offer(db, principal, offer_id)


class CouncilMeetingController(Controller):
    path = "/api/v1/council-meetings"
    tags = ["promises"]

    @put("/{kommun:str}/{year:int}", operation_id="putCouncilMeeting", opt={"capability": "write"})
    async def put_meeting(
        self, db: Db, principal: Caller, kommun: KommunPath, year: YearPath, data: JSONBody[promises.CouncilMeetingInput]
    ) -> CouncilMeeting:
        """The day of the council's last meeting of the year, when the written summary is due;
        ``promises check`` warns from 30 days before it."""
        await promises.set_council_meeting(db, principal, kommun, year, data.last_meeting_on)
        return CouncilMeeting(kommun=kommun, year=year, last_meeting_on=data.last_meeting_on)

    @get("/{kommun:str}/{year:int}", operation_id="getCouncilMeeting", opt={"capability": "read"})
    async def get_meeting(self, db: Db, principal: Caller, kommun: KommunPath, year: YearPath) -> CouncilMeeting:
        """The day set for the council's last meeting of the year (null when none is set)."""
        promises.check_year(year)
        await kommuner.require_known(db, [kommun])
        if not principal.sees(kommun):
            raise NotFound("kommun.not_yours", kommun=kommun)
        found = (await store.council_meetings(db, [kommun], year)).get(kommun)
        return CouncilMeeting(kommun=kommun, year=year, last_meeting_on=found)


PROMISE_CONTROLLERS: list[type] = [
    PromiseController,
    ActivityController,
    WalkPointController,
    AreaOfferController,
    CouncilMeetingController,
]
