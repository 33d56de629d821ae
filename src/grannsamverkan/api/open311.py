"""Open311 GeoReport v2 under ``/open311/v2``, for the apps kommuner already use.

Services are the place categories; ``jurisdiction_id`` is the kommun code (optional: a request's
kommun is also found from its position). Requests are answered only once published, at the
blurred position, without personal fields. ``POST requests`` takes a form-urlencoded body with an
``api_key`` made by ``grannsamverkan places api-key create``; it lands in the review queue like
any report. JSON and XML; errors are ``[{"code", "description"}]`` (XML: ``<errors>``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from xml.sax.saxutils import escape

import asyncpg
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import FromPath, FromQuery

from grannsamverkan.db import places as place_db
from grannsamverkan.db.pool import UNAVAILABLE_ERRORS
from grannsamverkan.domain import places as rules
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import FieldError, Forbidden, GrannsamverkanError, InvalidInput, MalformedInput, NotFound
from grannsamverkan.geo import boundaries
from grannsamverkan.geo.crs import WGS84, explain_outside, inside_sweden, sweref_to_wgs84, to_sweref
from grannsamverkan.http.common import Db
from grannsamverkan.services import places

log = logging.getLogger("grannsamverkan")
BASE: Final = "/open311/v2"
DEFAULT_DAYS: Final = 90
MAX_RESULTS: Final = 1000
MAX_BODY: Final = 64 * 1024
CHANGESET: Final = "2026-12-01T00:00:00Z"
XML_LISTS: Final = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


# --- answers in JSON or XML ------------------------------------------------------------------------


def _xml_value(tag: str, value: Any) -> str:
    if value is None:
        return f"<{tag}/>" if tag not in XML_LISTS.values() else f"<{tag}></{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(_xml_value(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        item = XML_LISTS.get(tag, "item")
        return f"<{tag}>" + "".join(_xml_value(item, v) for v in value) + f"</{tag}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def to_xml(root: str, value: Any) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + _xml_value(root, value)


def answer(request: Request[Any, Any, Any], root: str, value: Any, status_code: int = 200) -> Response[Any]:
    if request.url.path.endswith(".xml"):
        return Response(to_xml(root, value), media_type=MediaType.XML, status_code=status_code)
    return Response(value, media_type=MediaType.JSON, status_code=status_code)


def _split(name: str) -> tuple[str, str]:
    """``"belysning.json"`` -> ``("belysning", "json")``; 404 for another format."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in ("json", "xml") or not stem:
        raise NotFound("open311.format", name=repr(name))
    return stem, fmt


def open311_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, GrannsamverkanError):
        status, description = exc.status, exc.detail
    elif isinstance(exc, ValidationException):
        status, description = (
            400,
            "; ".join(f"{e.get('key')}: {e.get('message')}" for e in (exc.extra or []) if isinstance(e, dict)) or exc.detail,
        )
    elif isinstance(exc, HTTPException):
        status, description = exc.status_code, exc.detail
    elif isinstance(exc, UNAVAILABLE_ERRORS):
        status, description = 503, "databasen går inte att nå; försök igen om en stund"
    else:
        status, description = 500, "ett oväntat fel inträffade; det har loggats"
        log.exception("oväntat fel i Open311 vid %s", request.url.path, exc_info=exc)
    if status in (409, 413, 415, 422):
        status = 400  # GeoReport v2 knows 400, 403, 404 (and server errors)
    return answer(request, "errors", [{"code": status, "description": description}], status)


OPEN311_ERRORS: Final[dict[Any, Any]] = {
    GrannsamverkanError: open311_error,
    HTTPException: open311_error,
    Exception: open311_error,
}
for _cls in UNAVAILABLE_ERRORS:
    OPEN311_ERRORS[_cls] = open311_error


# --- services --------------------------------------------------------------------------------------


def service(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": rules.CATEGORIES[code],
        "description": f"Plats som känns otrygg (eller trygg): {rules.CATEGORIES[code].lower()}",
        "metadata": True,
        "type": "batch",
        "keywords": "trygghet, otrygg plats, fysisk miljö",
        "group": "Trygga fysiska platser",
    }


def service_definition(code: str) -> dict[str, Any]:
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "time_of_day",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "När känns platsen otrygg?",
                "order": 1,
                "description": "Tid på dygnet",
                "values": [{"key": k, "name": v} for k, v in rules.TIMES_OF_DAY.items()],
            },
            {
                "variable": True,
                "code": "feeling",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "Otrygg (standard) eller trygg",
                "order": 2,
                "description": "Hur känns platsen?",
                "values": [{"key": k, "name": v} for k, v in rules.FEELINGS.items()],
            },
            {
                "variable": True,
                "code": "would_help",
                "datatype": "text",
                "required": False,
                "datatype_description": "Högst 4000 tecken",
                "order": 3,
                "description": "Vad skulle hjälpa?",
            },
        ],
    }


def _known_service(code: str) -> str:
    if code not in rules.CATEGORIES:
        raise NotFound("open311.service_code", code=repr(code))
    return code


# --- requests --------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def request_of(r: place_db.PlaceRecord) -> dict[str, Any]:
    """A published report as a GeoReport v2 request: blurred position, no personal fields."""
    lat = lon = None
    if r.public_x is not None and r.public_y is not None:
        lons, lats = sweref_to_wgs84([r.public_x], [r.public_y])
        lon, lat = round(float(lons[0]), 6), round(float(lats[0]), 6)
    return {
        "service_request_id": str(r.id),
        "status": rules.open311_status(r.status),
        "status_notes": r.status_note,
        "service_name": rules.CATEGORIES[r.category],
        "service_code": r.category,
        "description": (rules.redact(r.what) or "")[:4000],
        "agency_responsible": rules.RESPONSIBLES.get(r.responsible or "", None) if r.responsible else None,
        "service_notice": rules.STATUSES[r.status],
        "requested_datetime": _iso(r.created_at),
        "updated_datetime": _iso(r.handled_at if r.status in rules.OPEN311_CLOSED and r.handled_at else r.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": None,
    }


def _date(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedInput("open311.time", [FieldError.of(field, "open311.time_short")], field=field) from None
    if not 1900 <= parsed.year <= 2100:
        raise MalformedInput("open311.year", [FieldError.of(field, "open311.outside")], field=field)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def find_requests(
    conn: asyncpg.Connection,
    *,
    ids: str | None,
    service_code: str | None,
    start: str | None,
    end: str | None,
    status: str | None,
    jurisdiction: str | None,
) -> list[dict[str, Any]]:
    id_list: list[int] | None = None
    if ids:
        parts = [p.strip() for p in ids.split(",") if p.strip()]
        if not all(p.isdigit() and len(p) < 19 for p in parts):
            raise MalformedInput("open311.ids")
        id_list = [int(p) for p in parts]
    codes = [c.strip() for c in (service_code or "").split(",") if c.strip()]
    for c in codes:
        _known_service(c)
    statuses = {s.strip() for s in (status or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise MalformedInput("open311.status")
    end_at = _date(end, "end_date") or datetime.now(UTC)
    start_at = _date(start, "start_date") or (end_at - timedelta(days=DEFAULT_DAYS) if not id_list else None)
    if jurisdiction is not None and not (len(jurisdiction) == 4 and jurisdiction.isdigit()):
        raise NotFound("open311.jurisdiction", jurisdiction=repr(jurisdiction))
    f = place_db.PlaceFilter(
        kommuner=[jurisdiction] if jurisdiction else None,
        review="published",
        ids=id_list,
        created_from=start_at,
        created_to=None if id_list and not end else end_at,
    )
    records, _ = await place_db.list_reports(conn, f, limit=MAX_RESULTS * 2, offset=0)
    chosen = [r for r in records if (not codes or r.category in codes) and (not statuses or rules.open311_status(r.status) in statuses)]
    return [request_of(r) for r in chosen[:MAX_RESULTS]]


def _float(form: Any, field: str) -> float | None:
    raw = form.get(field)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise MalformedInput("open311.number", [FieldError.of(field, "open311.not_number")], field=field) from None


def new_place(form: Any, allowed: list[str], client_name: str) -> places.NewPlace:
    code = _known_service(str(form.get("service_code") or ""))
    lat, lon = _float(form, "lat"), _float(form, "long")
    address = (form.get("address_string") or "").strip() or None
    x = y = None
    if lat is not None and lon is not None:
        if not inside_sweden([lon], [lat], WGS84)[0]:
            raise InvalidInput("open311.position", reason=explain_outside(lon, lat, WGS84))
        xs, ys = to_sweref([lon], [lat], WGS84)
        x, y = float(xs[0]), float(ys[0])
    elif lat is not None or lon is not None:
        raise MalformedInput("open311.lat_long")
    elif not address:
        raise MalformedInput("open311.place")
    kommun = (form.get("jurisdiction_id") or "").strip()
    if not kommun and x is not None and y is not None:
        kommun = next((k for k in allowed if boundaries.contains(k, x, y)), "")
    if not kommun and len(allowed) == 1:
        kommun = allowed[0]
    if kommun not in allowed:
        raise Forbidden("open311.key_kommun", kommun=kommun or "(okänd)")
    return places.NewPlace(
        kommun=kommun,
        category=code,
        what=str(form.get("description") or ""),
        time_of_day=str(form.get("attribute[time_of_day]") or "morker"),
        feeling=str(form.get("attribute[feeling]") or "otrygg"),
        would_help=form.get("attribute[would_help]") or None,
        place_text=address,
        x=x,
        y=y,
        email=form.get("email") or None,
        source="open311",
        source_client=client_name,
    )


def per_format(name: str) -> Any:
    """An operation id for each path of a handler serving ``.json`` and ``.xml``."""

    def create(handler: Any, method: Any, components: list[Any]) -> str:
        last = components[-1] if components else ""
        return name + ("Xml" if isinstance(last, str) and last.endswith(".xml") else "")

    return create


class Open311Controller(Controller):
    path = BASE
    tags = ["open311"]
    exception_handlers = OPEN311_ERRORS
    security = []

    @get(["/discovery.json", "/discovery.xml"], operation_id=per_format("open311Discovery"), opt={"capability": "public"})
    async def discovery(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Where the GeoReport v2 endpoint is and what it speaks."""
        base = str(request.base_url).rstrip("/") + BASE
        return answer(
            request,
            "discovery",
            {
                "changeset": CHANGESET,
                "contact": "Kontakta kommunens trygghetssamordnare.",
                "key_service": "api_key utfärdas av kommunen: grannsamverkan places api-key create",
                "endpoints": [
                    {
                        "specification": "http://wiki.open311.org/GeoReport_v2",
                        "url": base,
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["application/json", "text/xml"],
                    }
                ],
            },
        )

    @get(["/services.json", "/services.xml"], operation_id=per_format("open311Services"), opt={"capability": "public"})
    async def services(self, request: Request[Any, Any, Any], jurisdiction_id: FromQuery[str | None] = None) -> Response[Any]:
        """The categories of places, the same in every kommun."""
        return answer(request, "services", [service(code) for code in rules.CATEGORIES])

    @get("/services/{service_file:str}", operation_id="open311ServiceDefinition", opt={"capability": "public"})
    async def definition(
        self, request: Request[Any, Any, Any], service_file: FromPath[str], jurisdiction_id: FromQuery[str | None] = None
    ) -> Response[Any]:
        """The attributes of a category (``belysning.json``): time of day, safe/unsafe, what would help."""
        code, _ = _split(service_file)
        return answer(request, "service_definition", service_definition(_known_service(code)))

    @get(["/requests.json", "/requests.xml"], operation_id=per_format("open311Requests"), opt={"capability": "public"})
    async def requests(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        service_request_id: FromQuery[str | None] = None,
        service_code: FromQuery[str | None] = None,
        start_date: FromQuery[str | None] = None,
        end_date: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        jurisdiction_id: FromQuery[str | None] = None,
    ) -> Response[Any]:
        """Published requests, newest first: the last 90 days and at most 1,000 unless narrowed."""
        found = await find_requests(
            db,
            ids=service_request_id,
            service_code=service_code,
            start=start_date,
            end=end_date,
            status=status,
            jurisdiction=jurisdiction_id,
        )
        return answer(request, "service_requests", found)

    @get("/requests/{request_file:str}", operation_id="open311Request", opt={"capability": "public"})
    async def one(
        self, request: Request[Any, Any, Any], db: Db, request_file: FromPath[str], jurisdiction_id: FromQuery[str | None] = None
    ) -> Response[Any]:
        stem, _ = _split(request_file)
        if not stem.isdigit() or len(stem) > 18:
            raise NotFound("open311.no_request", request=repr(stem))
        found = await find_requests(db, ids=stem, service_code=None, start=None, end=None, status=None, jurisdiction=jurisdiction_id)
        if not found:
            raise NotFound("open311.not_published", request=stem)
        return answer(request, "service_requests", found)

    @post(
        ["/requests.json", "/requests.xml"],
        operation_id=per_format("open311CreateRequest"),
        opt={"capability": "public"},
        request_max_body_size=MAX_BODY,
        status_code=201,
    )
    async def create(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """A new request (form-urlencoded, with ``api_key``); it is published after review."""
        form = await request.form()  # the whole (capped) body first, then a connection
        key = form.get("api_key")
        if not isinstance(key, str) or not key:
            raise Forbidden("open311.key_missing")
        pool: asyncpg.Pool = request.app.state.pool
        async with pool.acquire(timeout=10) as conn:
            client = await place_db.find_client(conn, key)
            if client is None:
                raise Forbidden("open311.key_unknown")
            data = new_place(form, list(client["kommuner"]), client["name"])
            device = form.get("device_id") or form.get("account_id") or ""
            record = await places.submit(
                conn,
                data,
                f"open311:{client['name']}:{device or 'okänd'}",
                Principal(token_id=0, name=f"open311:{client['name']}", role="police"),
            )
        return answer(
            request,
            "service_requests",
            [
                {
                    "service_request_id": str(record.id),
                    "service_notice": "Tack! Rapporten visas när kommunen har granskat den.",
                    "account_id": None,
                }
            ],
            201,
        )
