"""Reports of unsafe places over HTTP, for coordinators and police: list, review, workflow, export.

Thin: parse, call ``services/places.py``, answer. Police (capability ``read`` only) see published
reports at the blurred position; the exact point and the texts as written are for the kommun's
coordinators. No answer ever holds a reporter's e-mail address.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from grannsamverkan.db import places as place_db
from grannsamverkan.domain import places as rules
from grannsamverkan.geo.geojson import parse_point
from grannsamverkan.http.common import Caller, Db, KommunFilter, Limit, Offset, Page
from grannsamverkan.services import places
from grannsamverkan.services.places import PlaceView, csv_text, feature_collection, place_filter

ReportId = Annotated[int, PathParameter(ge=1, description="report id")]


class PlaceCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A report recorded by the kommun (e.g. from a trygghetsvandring). ``location`` is a GeoJSON
    Point in WGS 84 (or SWEREF 99 TM with ``?crs=EPSG:3006``)."""

    kommun: str
    category: rules.Category
    what: Annotated[str, msgspec.Meta(max_length=rules.MAX_TEXT)]
    time_of_day: rules.TimeOfDay = "morker"
    feeling: rules.Feeling = "otrygg"
    would_help: Annotated[str, msgspec.Meta(max_length=rules.MAX_TEXT)] | None = None
    place_text: Annotated[str, msgspec.Meta(max_length=rules.MAX_PLACE_TEXT)] | None = None
    location: dict[str, Any] | None = None
    source: rules.Source = "trygghetsvandring"


class Rejection(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class CorrectionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Texts without the personal details (both left out: replace what looks like personal data by
    [borttaget]) and/or the pin (GeoJSON Point, WGS 84) of a report described in words."""

    what: Annotated[str, msgspec.Meta(max_length=rules.MAX_TEXT)] | None = None
    would_help: Annotated[str, msgspec.Meta(max_length=rules.MAX_TEXT)] | None = None
    location: dict[str, Any] | None = None


class Merge(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    into: Annotated[int, msgspec.Meta(ge=1, description="the report that stays")]


Category = Annotated[rules.Category | None, QueryParameter(description="category code")]
StatusQ = Annotated[rules.Status | None, QueryParameter(description="status code")]
ReviewQ = Annotated[rules.Review | None, QueryParameter(description="pending, published or rejected")]
FeelingQ = Annotated[rules.Feeling | None, QueryParameter(description="otrygg (unsafe) or trygg (safe)")]
AreaQ = Annotated[int | None, QueryParameter(ge=1, description="reports inside this area")]
SourceQ = Annotated[rules.Source | None, QueryParameter(description="medborgare, trygghetsvandring or open311")]
FromQ = Annotated[date | None, QueryParameter(name="from", description="reported on or after (YYYY-MM-DD)")]
ToQ = Annotated[date | None, QueryParameter(name="to", description="reported on or before (YYYY-MM-DD)")]


class PlaceController(Controller):
    path = "/api/v1/places"
    tags = ["places"]

    @get("/", operation_id="listPlaces", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        category: Category = None,
        status: StatusQ = None,
        review: ReviewQ = None,
        feeling: FeelingQ = None,
        area_id: AreaQ = None,
        source: SourceQ = None,
        from_: FromQ = None,
        to: ToQ = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[PlaceView]:
        """Reports of unsafe (and safe) places in the caller's kommuner, newest first. Police see
        published reports only, at the blurred position."""
        f = await place_filter(db, kommun, category, status, review, feeling, area_id, source, from_, to)
        items, total = await places.list_for(db, principal, f, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @get("/export.csv", operation_id="exportPlacesCsv", opt={"capability": "read"}, media_type="text/csv")
    async def export_csv(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        category: Category = None,
        status: StatusQ = None,
        review: ReviewQ = None,
        feeling: FeelingQ = None,
        area_id: AreaQ = None,
        from_: FromQ = None,
        to: ToQ = None,
        source: SourceQ = None,
    ) -> Response[str]:
        """The same list as CSV (UTF-8 with a header row), for the kommun's GIS and the council."""
        items = await places.exported(db, principal, kommun, category, status, review, feeling, area_id, from_, to, source)
        return Response(
            csv_text(items), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="platser.csv"'}
        )

    @get("/export.geojson", operation_id="exportPlacesGeojson", opt={"capability": "read"}, media_type="application/geo+json")
    async def export_geojson(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        category: Category = None,
        status: StatusQ = None,
        review: ReviewQ = None,
        feeling: FeelingQ = None,
        area_id: AreaQ = None,
        from_: FromQ = None,
        to: ToQ = None,
        source: SourceQ = None,
    ) -> Response[dict[str, Any]]:
        """The same list as a GeoJSON FeatureCollection (WGS 84); ``precision_m`` is 0 for the exact
        point, else the blur cell's size."""
        items = await places.exported(db, principal, kommun, category, status, review, feeling, area_id, from_, to, source)
        return Response(feature_collection(items), media_type="application/geo+json")

    @get("/{report_id:int}", operation_id="getPlace", opt={"capability": "read"})
    async def show(self, db: Db, principal: Caller, report_id: ReportId) -> PlaceView:
        return await places.get_for(db, principal, report_id)

    @get("/{report_id:int}/history", operation_id="getPlaceHistory", opt={"capability": "read"})
    async def history(self, db: Db, principal: Caller, report_id: ReportId) -> list[place_db.StatusChange]:
        """The report's status changes with notes and responsible body, oldest first."""
        await places.get_for(db, principal, report_id)
        return await place_db.history(db, report_id)

    @post("/", operation_id="createPlace", opt={"capability": "write"}, status_code=HTTP_201_CREATED)
    async def create(
        self,
        db: Db,
        principal: Caller,
        data: JSONBody[PlaceCreate],
        crs: Annotated[str | None, QueryParameter(description="EPSG:3006 when location is in SWEREF 99 TM")] = None,
    ) -> PlaceView:
        """Record a report for the kommun, e.g. from a trygghetsvandring (pending review, like all)."""
        principal.require_kommun(data.kommun)
        x, y = parse_point(data.location, crs=crs) if data.location is not None else (None, None)
        record = await places.submit(
            db,
            places.NewPlace(
                kommun=data.kommun,
                category=data.category,
                time_of_day=data.time_of_day,
                feeling=data.feeling,
                what=data.what,
                would_help=data.would_help,
                place_text=data.place_text,
                x=x,
                y=y,
                source=data.source,
                source_client=principal.name,
            ),
            reporter=f"token:{principal.token_id}:{principal.name}",
            actor=principal,
        )
        return places.view(record, principal)

    @post("/{report_id:int}/publish", operation_id="publishPlace", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def publish(self, db: Db, principal: Caller, report_id: ReportId) -> PlaceView:
        """Show the report on the public map, at the centre of a grid cell with at least five
        households (100, 200, 500 or 1000 m), or without a position when none has."""
        return places.view(await places.publish(db, principal, report_id), principal)

    @post("/{report_id:int}/reject", operation_id="rejectPlace", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def reject(self, db: Db, principal: Caller, report_id: ReportId, data: JSONBody[Rejection]) -> PlaceView:
        return places.view(await places.reject(db, principal, report_id, data.reason), principal)

    @post("/{report_id:int}/correct", operation_id="correctPlace", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def correct(self, db: Db, principal: Caller, report_id: ReportId, data: JSONBody[CorrectionIn]) -> PlaceView:
        """Mark personal details (take them out of the texts) and/or place the pin before publishing."""
        x, y = parse_point(data.location) if data.location is not None else (None, None)
        record = await places.correct(db, principal, report_id, places.Correction(what=data.what, would_help=data.would_help, x=x, y=y))
        return places.view(record, principal)

    @post("/{report_id:int}/status", operation_id="setPlaceStatus", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def set_status(self, db: Db, principal: Caller, report_id: ReportId, data: JSONBody[places.StatusUpdate]) -> PlaceView:
        """Move the report along the workflow (open, in_progress, action_scheduled, fixed,
        not_kommun_responsible, closed) with a note and the responsible body; the reporter who left
        an address is told by mail, and closing erases the address."""
        return places.view(await places.set_status(db, principal, report_id, data), principal)

    @post("/{report_id:int}/merge", operation_id="mergePlace", opt={"capability": "write"}, status_code=HTTP_200_OK)
    async def merge(self, db: Db, principal: Caller, report_id: ReportId, data: JSONBody[Merge]) -> PlaceView:
        """Mark this report a duplicate of ``into``; answers the report that stays."""
        return places.view(await places.merge(db, principal, report_id, data.into), principal)
