"""Pages of the e-service for unsafe places.

Public (no sign-in): ``/trygghet`` (choose a kommun), ``/trygghet/{kommun}`` (the map, the form and
the published reports), "jag tycker också", and a thank-you page. The submission reads its body
(at most MAX_BODY bytes, refused before parsing) before it takes a database connection, counts
submissions per client, and drops what fills the hidden honeypot field.

Signed in: ``/platser`` (review queue, list with filters, map) and ``/platser/{id}`` (publish,
reject, mark personal details, place the pin, status, merge), over the same use cases as the API.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from grannsamverkan.db import areas, kommuner
from grannsamverkan.db import places as place_db
from grannsamverkan.domain import places as rules
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import FieldError, GrannsamverkanError, InvalidInput, NotFound
from grannsamverkan.geo.crs import SWEREF_EXTENT, WGS84, to_sweref
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.services import places
from grannsamverkan.services.places import PlaceView
from grannsamverkan.web.context import page, redirect, visible_kommun
from grannsamverkan.web.kommun_map import KommunMap, kommun_map
from grannsamverkan.web.maps import AreaOnMap

# Form bodies above this are refused with 413 before they are parsed: two texts of 4,000
# characters, URL-encoded (up to 9 bytes a character for å, ä, ö), and the small fields.
MAX_BODY: Final = 80 * 1024
REPORTER_COOKIE: Final = "gsv_reporter"
HONEYPOT: Final = "webbplats"
MANY: Final = 10_000


def limiter(request: Request[Any, Any, Any]) -> rules.RateLimiter:
    state = request.app.state
    found = getattr(state, "place_limiter", None)
    if found is None:
        found = state.place_limiter = rules.RateLimiter(state.settings.places_submissions_per_hour, 3600.0)
    return found


def client_key(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def reporter_of(request: Request[Any, Any, Any]) -> str:
    """The browser's anonymous key (a random cookie); without cookies, the client address and agent."""
    cookie = request.cookies.get(REPORTER_COOKIE)
    if cookie and 16 <= len(cookie) <= 64:
        return "web:" + cookie
    agent = request.headers.get("user-agent", "")
    return "client:" + hashlib.sha256(f"{client_key(request)}|{agent}".encode()).hexdigest()


def reporter_cookie(request: Request[Any, Any, Any]) -> list[Cookie]:
    if request.cookies.get(REPORTER_COOKIE):
        return []
    return [
        Cookie(
            key=REPORTER_COOKIE,
            value=secrets.token_urlsafe(24),
            path="/trygghet",
            httponly=True,
            samesite="lax",
            max_age=365 * 24 * 3600,
            secure=request.url.scheme == "https",
        )
    ]


def too_many(request: Request[Any, Any, Any], kommun: kommuner.Kommun | None) -> Template:
    wait = limiter(request).retry_after(client_key(request))
    minutes = max(1, round(wait / 60))
    response = page(
        request,
        "places/thanks.html.j2",
        status_code=429,
        kommun=kommun or kommuner.Kommun("", "", ""),
        message=f"Du har skickat många rapporter på kort tid. Försök igen om {minutes} minuter.",
    )
    response.headers["Retry-After"] = str(wait)
    return response


class FormValues(msgspec.Struct, kw_only=True):
    category: str = "belysning"
    time_of_day: str = "morker"
    feeling: str = "otrygg"
    what: str | None = None
    would_help: str | None = None
    place_text: str | None = None
    email: str | None = None
    x: float | None = None
    y: float | None = None


def _number(form: FormMultiDict, field: str) -> float | None:
    raw = form.get(field)
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise InvalidInput("place.map_unreadable", [FieldError.of(field, "place.invalid_short")]) from None
    lo, hi = (SWEREF_EXTENT[0], SWEREF_EXTENT[2]) if field == "x" else (SWEREF_EXTENT[1], SWEREF_EXTENT[3])
    if not lo <= value <= hi:
        raise InvalidInput("place.map_outside", [FieldError.of(field, "open311.outside")])
    return round(value, 1)


def _text(form: FormMultiDict, field: str) -> str | None:
    raw = form.get(field)
    return raw if isinstance(raw, str) else None


def form_values(form: FormMultiDict) -> FormValues:
    return FormValues(
        category=_text(form, "kategori") or "belysning",
        time_of_day=_text(form, "tid") or "morker",
        feeling=_text(form, "upplevelse") or "otrygg",
        what=_text(form, "beskrivning"),
        would_help=_text(form, "forslag"),
        place_text=_text(form, "plats"),
        email=_text(form, "epost"),
        x=_number(form, "x"),
        y=_number(form, "y"),
    )


def public_context() -> dict[str, Any]:
    return {
        "CATEGORY_NAMES": rules.CATEGORIES,
        "TIMES": rules.TIMES_OF_DAY,
        "FEELINGS": rules.FEELINGS,
        "STATUS_NAMES": rules.STATUSES,
        "REVIEW_NAMES": rules.REVIEWS,
        "RESPONSIBLES": rules.RESPONSIBLES,
        "SOURCE_NAMES": rules.SOURCES,
    }


def dots_of(items: list[PlaceView], *, exact: bool) -> list[tuple[float, float, str, str]]:
    """Map dots in SWEREF 99 TM from the views (exact points only where ``exact``)."""
    chosen = [(p, (p.location if exact and p.location else p.public_location)) for p in items]
    located = [(p, pt["coordinates"]) for p, pt in chosen if pt]
    if not located:
        return []
    xs, ys = to_sweref([c[0] for _, c in located], [c[1] for _, c in located], WGS84)
    return [
        (float(x), float(y), f"dot-place-{p.feeling} dot-review-{p.review}", f"{p.category_name}: {p.status_name}")
        for (p, _), x, y in zip(located, xs.tolist(), ys.tolist(), strict=True)
    ]


async def public_page(
    request: Request[Any, Any, Any],
    conn: asyncpg.Connection,
    kommun: kommuner.Kommun,
    *,
    values: FormValues | None = None,
    suggestions: list[PlaceView] | None = None,
    failure: GrannsamverkanError | None = None,
) -> Template:
    records, _ = await place_db.list_reports(conn, place_db.PlaceFilter(kommuner=[kommun.code], review="published"), limit=500, offset=0)
    published = [places.view_public(r) for r in records if r.status not in ("duplicate",)]
    values = values or FormValues()
    response = page(
        request,
        "places/public.html.j2",
        status_code=failure.status if failure else 200,
        kommun=kommun,
        values=values,
        suggestions=suggestions or [],
        failure=failure,
        published=published,
        map=kommun_map(kommun.code, pin=(values.x, values.y) if values.x and values.y else None),
        public_map=kommun_map(kommun.code, dots=dots_of(published, exact=False)),
        **public_context(),
    )
    response.cookies.extend(reporter_cookie(request))
    return response


async def known_kommun(conn: asyncpg.Connection, code: str) -> kommuner.Kommun:
    if len(code) != 4 or not code.isdigit():
        raise NotFound("kommun.no_code", code=repr(code))
    return await kommuner.get_kommun(conn, code)


class PublicPlacePages(Controller):
    path = "/trygghet"
    include_in_schema = False

    @get("/", opt={"capability": "public"})
    async def choose(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(request, "places/choose.html.j2", kommuner=await kommuner.list_kommuner(db))

    @get("/kommun", opt={"capability": "public"})
    async def chosen(self, kod: FromQuery[str]) -> Redirect:
        return redirect(f"/trygghet/{quote(kod.strip(), safe='')}")

    @get("/{kommun:str}", opt={"capability": "public"})
    async def show(self, request: Request[Any, Any, Any], db: Db, kommun: FromPath[str]) -> Template:
        return await public_page(request, db, await known_kommun(db, kommun))

    @get("/{kommun:str}/tack", opt={"capability": "public"})
    async def thanks(
        self, request: Request[Any, Any, Any], db: Db, kommun: FromPath[str], instamt: FromQuery[str | None] = None
    ) -> Template:
        k = await known_kommun(db, kommun)
        message = {
            "ja": "Du är räknad bland dem som tycker likadant om platsen.",
            "redan": "Du var redan räknad för den här platsen.",
        }.get(instamt or "", "Din rapport har kommit in. Den visas på kartan när kommunen har läst den.")
        return page(request, "places/thanks.html.j2", kommun=k, message=message)

    @post("/{kommun:str}", opt={"capability": "public", "form_bytes": MAX_BODY}, request_max_body_size=MAX_BODY)
    async def submit(self, request: Request[Any, Any, Any], kommun: FromPath[str]) -> Template | Redirect:
        """The body is read (and capped) before a connection is taken from the pool."""
        form = await request.form()
        if not limiter(request).allow(client_key(request)):
            return too_many(request, None)
        if _text(form, HONEYPOT):
            return redirect(f"/trygghet/{quote(kommun, safe='')}/tack")  # a robot: nothing is stored
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire(timeout=10) as conn:
            k = await known_kommun(conn, kommun)
            values = FormValues()
            try:
                values = form_values(form)
                if values.x is not None and values.y is not None and not _text(form, "ny_anda"):
                    near = await places.nearby(conn, k.code, values.category, values.x, values.y)
                    if near:
                        return await public_page(request, conn, k, values=values, suggestions=[places.view_public(r) for r in near])
                await places.submit(
                    conn,
                    places.NewPlace(
                        kommun=k.code,
                        category=values.category,
                        time_of_day=values.time_of_day,
                        feeling=values.feeling,
                        what=values.what or "",
                        would_help=values.would_help,
                        place_text=values.place_text,
                        x=values.x,
                        y=values.y,
                        email=values.email,
                    ),
                    reporter_of(request),
                )
            except GrannsamverkanError as exc:
                return await public_page(request, conn, k, values=values, failure=exc)
        return redirect(f"/trygghet/{k.code}/tack")

    @post("/rapporter/{report_id:int}/instam", opt={"capability": "public"}, request_max_body_size=4096)
    async def support(self, request: Request[Any, Any, Any], report_id: FromPath[int]) -> Template | Redirect:
        """ "Jag tycker också": one more distinct reporter for a published place."""
        await request.form()
        if not limiter(request).allow(client_key(request)):
            return too_many(request, None)
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire(timeout=10) as conn:
            report, added = await places.support(conn, report_id, None, reporter_of(request))
        return redirect(f"/trygghet/{report.kommun}/tack", instamt="ja" if added else "redan")


# --- coordinators and police -----------------------------------------------------------------------


def _optional(value: str | None, choices: dict[str, str]) -> str | None:
    return value if value in choices else None


class ListFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The places list's filters by their query names, in the order of the map's query; a choice
    the list does not know is no filter (None)."""

    kategori: str | None = None
    status: str | None = None
    granskning: str | None = None
    upplevelse: str | None = None
    kalla: str | None = None
    omrade: int | None = None
    fran: date | None = None
    till: date | None = None

    def query(self) -> dict[str, Any]:
        """The filters that are set, for a link to the same list or its map."""
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not None}


def list_filters(
    kategori: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    granskning: FromQuery[str | None] = None,
    upplevelse: FromQuery[str | None] = None,
    omrade: FromQuery[int | None] = None,
    fran: FromQuery[date | None] = None,
    till: FromQuery[date | None] = None,
    kalla: FromQuery[str | None] = None,
) -> ListFilters:
    """The one declaration of the list's eight query parameters: the ``filters`` dependency of the
    list (``/platser``) and of its map (``/platser/karta.geojson``), so both read a query alike."""
    return ListFilters(
        kategori=_optional(kategori, rules.CATEGORIES),
        status=_optional(status, rules.STATUSES),
        granskning=_optional(granskning, rules.REVIEWS),
        upplevelse=_optional(upplevelse, rules.FEELINGS),
        kalla=_optional(kalla, rules.SOURCES),
        omrade=omrade,
        fran=fran,
        till=till,
    )


#: The ``dependencies`` of a route that takes the list's filters (a parameter ``filters: Filters``).
LIST_FILTERS: Final = {"filters": Provide(list_filters, sync_to_thread=False)}
Filters = NamedDependency[ListFilters]


async def list_filter(db: Any, kommun: str, filters: ListFilters) -> place_db.PlaceFilter:
    """The list's filters as the use cases' filter (``places.list_for`` narrows it by role)."""
    return await places.place_filter(
        db,
        [kommun],
        filters.kategori,
        filters.status,
        filters.granskning,
        filters.upplevelse,
        filters.omrade,
        filters.kalla,
        filters.fran,
        filters.till,
    )


# The export routes take the API's query names, so a page link and an API call read the same.
Category = FromQuery[rules.Category | None]
Status = FromQuery[rules.Status | None]
Review = FromQuery[rules.Review | None]
Feeling = FromQuery[rules.Feeling | None]
Source = FromQuery[rules.Source | None]
From = Annotated[date | None, QueryParameter(name="from")]
To = Annotated[date | None, QueryParameter(name="to")]


class PlacePages(Controller):
    path = "/platser"
    include_in_schema = False

    @get("/", opt={"capability": "read"}, dependencies=LIST_FILTERS)
    async def index(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, filters: Filters, kommun: FromQuery[str | None] = None
    ) -> Template:
        code = kommun or (principal.kommuner[0] if principal.kommuner else None)
        if code is None:
            return page(
                request,
                "places/list.html.j2",
                kommun=None,
                items=[],
                queue=[],
                total=0,
                filters=ListFilters(),
                map=None,
                area_choices=[],
                **public_context(),
            )
        k = await visible_kommun(db, principal, code)
        f = await list_filter(db, code, filters)
        items, total = await places.list_for(db, principal, f, limit=MANY, offset=0)
        queue = [p for p in items if p.review == "pending"] if principal.can("write") else []
        area_records, _ = await areas.list_areas(db, [code], limit=MANY, offset=0)
        exact = places.sees_exact(principal, code)
        svg = kommun_map(
            code,
            [AreaOnMap(area_id=a.id, name=a.name, geometry=a.geometry, css_class="", label=a.name) for a in area_records],
            dots_of(items, exact=exact),
        )
        return page(
            request,
            "places/list.html.j2",
            kommun=k,
            kommun_code=code,
            items=items,
            queue=queue,
            total=total,
            filters=filters,
            map=svg,
            area_choices=[(a.id, a.name) for a in area_records],
            exact=exact,
            export_query=export_query(code, filters),
            map_query=urlencode({"kommun": code, **filters.query()}),
            **public_context(),
        )

    # The exports as page routes: the API takes bearer tokens only, the pages their session.
    @get("/export.csv", opt={"capability": "read"}, media_type="text/csv")
    async def export_csv(
        self,
        db: Db,
        principal: Caller,
        kommun: FromQuery[list[str] | None] = None,
        category: Category = None,
        status: Status = None,
        review: Review = None,
        feeling: Feeling = None,
        area_id: FromQuery[int | None] = None,
        from_: From = None,
        to: To = None,
        source: Source = None,
    ) -> Response[str]:
        items = await places.exported(db, principal, kommun, category, status, review, feeling, area_id, from_, to, source)
        return Response(
            places.csv_text(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="platser.csv"'},
        )

    @get("/export.geojson", opt={"capability": "read"}, media_type="application/geo+json")
    async def export_geojson(
        self,
        db: Db,
        principal: Caller,
        kommun: FromQuery[list[str] | None] = None,
        category: Category = None,
        status: Status = None,
        review: Review = None,
        feeling: Feeling = None,
        area_id: FromQuery[int | None] = None,
        from_: From = None,
        to: To = None,
        source: Source = None,
    ) -> Response[dict[str, Any]]:
        items = await places.exported(db, principal, kommun, category, status, review, feeling, area_id, from_, to, source)
        return Response(
            places.feature_collection(items),
            media_type="application/geo+json",
            headers={"Content-Disposition": 'attachment; filename="platser.geojson"'},
        )

    @get("/{report_id:int}", opt={"capability": "read"})
    async def show(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template:
        return await report_page(request, db, principal, report_id)

    async def _act(
        self, request: Request[Any, Any, Any], db: Any, principal: Principal, report_id: int, action: Any, done: str
    ) -> Template | Redirect:
        form = await request.form()
        try:
            await action(form)
        except GrannsamverkanError as exc:
            return await report_page(request, db, principal, report_id, failure=exc)
        return redirect(f"/platser/{report_id}", klar=done)

    @post("/{report_id:int}/publicera", opt={"capability": "write"})
    async def publish(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template | Redirect:
        async def act(form: FormMultiDict) -> None:
            await places.publish(db, principal, report_id)

        return await self._act(request, db, principal, report_id, act, "publicerad")

    @post("/{report_id:int}/avvisa", opt={"capability": "write"})
    async def reject(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template | Redirect:
        async def act(form: FormMultiDict) -> None:
            await places.reject(db, principal, report_id, _text(form, "skal") or "")

        return await self._act(request, db, principal, report_id, act, "avvisad")

    @post("/{report_id:int}/personuppgifter", opt={"capability": "write"})
    async def correct(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template | Redirect:
        async def act(form: FormMultiDict) -> None:
            what, would_help = _text(form, "beskrivning"), _text(form, "forslag")
            x, y = _number(form, "x"), _number(form, "y")
            await places.correct(db, principal, report_id, places.Correction(what=what, would_help=would_help, x=x, y=y))

        return await self._act(request, db, principal, report_id, act, "andrad")

    @post("/{report_id:int}/status", opt={"capability": "write"})
    async def status(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template | Redirect:
        async def act(form: FormMultiDict) -> None:
            status = _text(form, "status") or ""
            if status not in rules.STATUSES:
                raise InvalidInput("place.choose_status", [FieldError.of("status", "place.missing")])
            responsible = _optional(_text(form, "ansvarig"), rules.RESPONSIBLES)
            update = places.StatusUpdate(
                status=status,  # type: ignore[arg-type]  # checked above
                note=_text(form, "anteckning"),
                responsible=responsible,  # type: ignore[arg-type]  # one of RESPONSIBLES or None
            )
            await places.set_status(db, principal, report_id, update)

        return await self._act(request, db, principal, report_id, act, "status")

    @post("/{report_id:int}/sla-ihop", opt={"capability": "write"})
    async def merge(self, request: Request[Any, Any, Any], db: Db, principal: Caller, report_id: FromPath[int]) -> Template | Redirect:
        async def act(form: FormMultiDict) -> None:
            raw = (_text(form, "med") or "").strip().lstrip("#")
            if not raw.isdigit():
                raise InvalidInput("place.merge_number", [FieldError.of("med", "place.a_number")])
            await places.merge(db, principal, report_id, int(raw))

        return await self._act(request, db, principal, report_id, act, "ihopslagen")


def export_query(kommun: str, filters: ListFilters) -> str:
    """The page's filters as the export routes' query (``/platser/export.csv?…``, as the API's)."""
    params = {
        "kommun": kommun,
        "category": filters.kategori,
        "status": filters.status,
        "review": filters.granskning,
        "feeling": filters.upplevelse,
        "area_id": filters.omrade,
        "from": filters.fran.isoformat() if filters.fran else None,
        "to": filters.till.isoformat() if filters.till else None,
        "source": filters.kalla,
    }
    return urlencode({k: v for k, v in params.items() if v is not None})


DONE_MESSAGES: Final = {
    "publicerad": "Rapporten är publicerad.",
    "avvisad": "Rapporten är avvisad.",
    "andrad": "Rapporten är ändrad.",
    "status": "Statusen är ändrad.",
    "ihopslagen": "Rapporten är sammanslagen med den andra.",
}


async def report_page(
    request: Request[Any, Any, Any], conn: Any, principal: Principal, report_id: int, *, failure: GrannsamverkanError | None = None
) -> Template:
    report = await places.get_for(conn, principal, report_id)
    k = await kommuner.get_kommun(conn, report.kommun)
    exact = places.sees_exact(principal, report.kommun)
    changes = await place_db.history(conn, report_id)
    nearby: list[PlaceView] = []
    record = await place_db.get_report(conn, report_id, principal.scope)
    if exact and record.x is not None and record.y is not None:
        found, _ = await place_db.list_reports(
            conn, place_db.PlaceFilter(kommuner=[report.kommun], category=report.category), limit=200, offset=0
        )
        nearby = [
            places.view(r, principal)
            for r in found
            if r.id != report_id
            and r.x is not None
            and r.y is not None
            and (r.x - record.x) ** 2 + (r.y - record.y) ** 2 <= rules.NEARBY_METRES**2
            and r.status not in ("duplicate",)
        ]
    svg: KommunMap = kommun_map(report.kommun, dots=dots_of([report], exact=exact))
    return page(
        request,
        "places/report.html.j2",
        status_code=failure.status if failure else 200,
        report=report,
        kommun=k,
        kommun_code=report.kommun,
        exact=exact,
        changes=changes,
        failure=failure,
        map=svg,
        nearby=nearby,
        transitions=sorted(rules.TRANSITIONS[report.status]),
        done_message=DONE_MESSAGES.get(request.query_params.get("klar", "")),
        **public_context(),
    )


async def places_in_area(conn: Any, principal: Principal, area_id: int) -> list[PlaceView]:
    """The reports inside an area, as the caller may see them (the area page lists them)."""
    items, _ = await places.list_for(conn, principal, place_db.PlaceFilter(area_id=area_id), limit=200, offset=0)
    return items
