"""Burglaries and priority areas over HTTP: parse, call the db layer, answer. Nothing more.

Kommun scope on the priority-area reads: ``kommun`` is required; an unknown code is 422, and a
kommun outside the token's scope is 404 ("no such kommun for this token"), as a foreign id is
for every other read: a scoped token cannot learn anything about other kommuner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Schema
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_200_OK

from grannsamverkan.db import burglaries, kommuner
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.backtest import BacktestResult
from grannsamverkan.domain.calendar import check_days
from grannsamverkan.domain.ranking import DEFAULT_BANDWIDTH_M, DEFAULT_TIME_WINDOW_DAYS, RankedArea
from grannsamverkan.errors import NotFound
from grannsamverkan.geo.gis_points import PointFields
from grannsamverkan.http.common import (
    Caller,
    Db,
    KommunFilter,
    Limit,
    Offset,
    Page,
    raw_body_operation,
    today_in_sweden,
)
from grannsamverkan.services import burglaries as burglary_cases
from grannsamverkan.services.lifecycle import queue_near_repeat_alerts as near_repeat_alerts

PointCrs = Annotated[
    str | None, QueryParameter(description="a GIS file's CRS when it names none: EPSG:4326 (default, lon/lat) or EPSG:3006")
]
PointField = Annotated[str | None, QueryParameter(description="a GIS file's field (property) holding this value", max_length=200)]
KommunParam = Annotated[str, QueryParameter(pattern=r"^[0-9]{4}$", description="SCB kommun code, e.g. 2283 (required)")]
FromDate = Annotated[
    date | None,
    QueryParameter(name="from", description="first day of the period (YYYY-MM-DD, included); default `to` − 365 days"),
]
ToDate = Annotated[
    date | None,
    QueryParameter(name="to", description="last day of the period (YYYY-MM-DD, included); default today in Sweden"),
]
BandwidthParam = Annotated[
    float, QueryParameter(gt=0, le=10_000, description="near_repeat: distance (m) at which a burglary's weight reaches 0")
]
WindowParam = Annotated[float, QueryParameter(gt=0, le=3650, description="near_repeat: age (days) at which a burglary's weight reaches 0")]

# --- burglaries -------------------------------------------------------------------------------------

IMPORT_DESCRIPTION = (
    "text/csv: header external_ref,occurred_from,occurred_to,category plus lon,lat (EPSG:4326) or x,y / e,n "
    "(EPSG:3006) and/or area_external_ref; comma or semicolon; UTF-8 or Windows-1252; occurred_to may be "
    "empty (a known time). application/json: an array of Swedish Police events "
    '(id, datetime, name, summary, url, type, location{name, gps:"lat,lng"}); only burglary types are kept, '
    "their gps (a kommun centre) gives no area. A body starting with '[' is read as the police feed."
)
POLICE_SCHEMA = Schema(
    type=OpenAPIType.ARRAY,
    description="Swedish Police events feed (polisen.se /api/events)",
    items=Schema(
        type=OpenAPIType.OBJECT,
        properties={
            "id": Schema(type=OpenAPIType.INTEGER),
            "datetime": Schema(type=OpenAPIType.STRING, description="'2023-03-23 9:37:32 +01:00'"),
            "name": Schema(type=OpenAPIType.STRING),
            "summary": Schema(type=OpenAPIType.STRING),
            "url": Schema(type=OpenAPIType.STRING),
            "type": Schema(type=OpenAPIType.STRING, description="kept: Inbrott, 'Inbrott, försök', Stöld/inbrott"),
            "location": Schema(
                type=OpenAPIType.OBJECT,
                properties={"name": Schema(type=OpenAPIType.STRING), "gps": Schema(type=OpenAPIType.STRING, description="'lat,lng'")},
            ),
        },
        required=["id", "datetime", "type"],
    ),
)
_CsvImportOperation = raw_body_operation("text/csv", IMPORT_DESCRIPTION)


@dataclass
class ImportOperation(_CsvImportOperation):  # type: ignore[misc,valid-type]
    """The CSV body of the shared helper, plus the police JSON array."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.request_body.content["application/json"] = OpenAPIMediaType(schema=POLICE_SCHEMA)


class BurglaryController(Controller):
    path = "/api/v1/burglaries"
    tags = ["burglaries"]

    @post("/import", operation_id="importBurglaries", opt={"capability": "write"}, status_code=HTTP_200_OK, operation_class=ImportOperation)
    async def import_burglaries(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Caller,
        kommun: Annotated[str, QueryParameter(description="SCB kommun code of the burglaries")],
        source: Annotated[
            str | None,
            QueryParameter(
                min_length=1,
                max_length=100,
                description="who reported them; idempotency is by (source, external_ref) within the kommun; "
                "default 'csv' for a CSV, 'polisen' for the police feed",
            ),
        ] = None,
        crs: PointCrs = None,
        ref_field: PointField = None,
        occurred_from_field: PointField = None,
        occurred_to_field: PointField = None,
        category_field: PointField = None,
        area_ref_field: PointField = None,
    ) -> burglaries.ImportResult:
        """All or nothing, idempotent by (source, external_ref) within the kommun (another kommun's
        burglaries neither block nor show through); errors name the line (CSV), the
        event index (police feed) or the feature (the points of a GeoPackage, zipped shapefile or
        GeoJSON, told by the file's first bytes, fields named by the ``*_field`` parameters). Answers
        inserted, updated, unchanged, skipped (police events of other types or other places, repeated
        copies), assigned and unassigned (to an area)."""
        principal.require_kommun(kommun)
        await kommuner.require_known(db, [kommun])
        body = await request.body()
        fields = PointFields.of(
            external_ref=ref_field,
            occurred_from=occurred_from_field,
            occurred_to=occurred_to_field,
            category=category_field,
            area_external_ref=area_ref_field,
        )
        result = await burglary_cases.import_burglaries(
            db, principal, kommun, body, source=source, content_type=request.headers.get("content-type"), fields=fields, crs=crs
        )
        await near_repeat_alerts(db, kommun)  # contact persons of active groups within 400 m (issue 19)
        return result

    @get("/", operation_id="listBurglaries", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        from_: Annotated[date | None, QueryParameter(name="from", description="first day (YYYY-MM-DD, included)")] = None,
        to: Annotated[date | None, QueryParameter(description="last day (YYYY-MM-DD, included)")] = None,
        area_id: Annotated[int | None, QueryParameter(ge=1, le=2**62, description="only this area's incidents")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[burglaries.Burglary]:
        """Incidents whose time (or time window) touches the period, newest first. No personal data."""
        if kommun:
            await kommuner.require_known(db, kommun)
        check_days(from_=from_, to=to)
        since = burglaries.day_start(from_) if from_ else None
        until = burglaries.day_start(to + timedelta(days=1)) if to else None
        if from_ and to:
            burglaries.period(from_, to)  # 422 when from is after to
        items, total = await burglaries.list_burglaries(
            db, in_kommuner=principal.visible_kommuner(kommun), since=since, until=until, area_id=area_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)


# --- priority areas ---------------------------------------------------------------------------------


async def _own_kommun(db: Any, principal: Principal, kommun: str) -> None:
    """422 for an unknown code; 404 for a kommun outside the token's scope."""
    await kommuner.require_known(db, [kommun])
    if not principal.sees(kommun):
        raise NotFound("kommun.not_yours", kommun=kommun)


class BacktestAnswer(msgspec.Struct, kw_only=True):
    """The contract's fields, plus the periods used and the naive baseline (last period's counts)."""

    method: str
    coverage: float
    hit_rate: float
    pai: float
    households_share: float
    burglaries_test: float
    kommun: str
    train_from: date
    train_to: date
    test_from: date
    test_to: date
    baseline: BacktestResult


class PriorityAreaController(Controller):
    path = "/api/v1/priority-areas"
    tags = ["priority-areas"]

    @get("/", operation_id="listPriorityAreas", opt={"capability": "read"})
    async def index(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunParam,
        from_: FromDate = None,
        to: ToDate = None,
        method: Annotated[
            Literal["rate", "eb", "near_repeat"],
            QueryParameter(
                description="rate: burglaries per 1,000 households (exact Poisson 95 % interval); "
                "eb: Empirical Bayes rate shrunk toward the kommun mean (Marshall 1991), the default; "
                "near_repeat: recent burglaries weighted by distance and age at `to`"
            ),
        ] = "eb",
        include_covered: Annotated[bool, QueryParameter(description="also list areas with an active group")] = False,
        bandwidth_m: BandwidthParam = DEFAULT_BANDWIDTH_M,
        window_days: WindowParam = DEFAULT_TIME_WINDOW_DAYS,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Page[RankedArea]:
        """The kommun's areas ordered by ``rank`` (``score`` is what the order follows). Burglaries
        with a time window are spread over it (aoristic). Areas with an active group are left out
        unless ``include_covered=true``; they still inform the EB mean. A kommun outside the
        token's scope is 404."""
        await _own_kommun(db, principal, kommun)
        last = to or today_in_sweden()
        check_days(from_=from_, to=to)
        first = from_ or last - timedelta(days=365)
        ranked = await burglaries.priority_areas(
            db, kommun, first, last, method, include_covered=include_covered, bandwidth_m=bandwidth_m, time_window_days=window_days
        )
        return Page(items=ranked[offset : offset + limit], total=len(ranked))

    @get("/backtest", operation_id="backtestPriorityAreas", opt={"capability": "read"})
    async def backtest(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunParam,
        train_from: Annotated[date | None, QueryParameter(description="first training day; default train_to − 364 days")] = None,
        train_to: Annotated[date | None, QueryParameter(description="last training day; default the day before test_from")] = None,
        test_from: Annotated[date | None, QueryParameter(description="first test day; default test_to − 364 days")] = None,
        test_to: Annotated[date | None, QueryParameter(description="last test day; default today in Sweden")] = None,
        method: Annotated[
            Literal["rate", "eb", "near_repeat", "naive"],
            QueryParameter(description="the ranking to judge; naive = last period's counts (the baseline)"),
        ] = "eb",
        coverage: Annotated[float, QueryParameter(gt=0, le=1, description="share of households flagged")] = 0.1,
        bandwidth_m: BandwidthParam = DEFAULT_BANDWIDTH_M,
        window_days: WindowParam = DEFAULT_TIME_WINDOW_DAYS,
    ) -> BacktestAnswer:
        """Rank on the training period, flag the best areas until ``coverage`` of the households,
        and count the test period's burglaries in them: ``hit_rate`` = share of test burglaries
        caught, ``households_share`` = share of households flagged, ``pai`` = hit_rate ÷
        households_share (1.0 = chance). ``baseline`` is the same for the naive ranking. All
        areas take part, covered or not (the forecast is judged, not the shortlist)."""
        await _own_kommun(db, principal, kommun)
        check_days(train_from=train_from, train_to=train_to, test_from=test_from, test_to=test_to)
        test_last = test_to or today_in_sweden()
        test_first = test_from or test_last - timedelta(days=364)
        train_last = train_to or test_first - timedelta(days=1)
        train_first = train_from or train_last - timedelta(days=364)
        result, baseline = await burglaries.backtest_kommun(
            db,
            kommun,
            (train_first, train_last),
            (test_first, test_last),
            [method, "naive"],
            coverage,
            bandwidth_m=bandwidth_m,
            time_window_days=window_days,
        )
        return BacktestAnswer(
            **msgspec.structs.asdict(result),
            kommun=kommun,
            train_from=train_first,
            train_to=train_last,
            test_from=test_first,
            test_to=test_last,
            baseline=baseline,
        )
