"""Import pages: area GeoJSON, household CSV and burglary files, uploaded from a browser.

The page posts the file as a form (a little JavaScript shows the upload's progress); the handler
calls the same parse and import functions as the API's import routes, all or nothing, and shows
the line-level errors next to the file when the file is refused.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from grannsamverkan.db import kommuner
from grannsamverkan.domain.access import Principal
from grannsamverkan.errors import GrannsamverkanError
from grannsamverkan.geo import gis
from grannsamverkan.http.common import Caller, Db
from grannsamverkan.services import areas as area_cases
from grannsamverkan.services import burglaries as burglary_cases
from grannsamverkan.services import households as household_cases
from grannsamverkan.services.lifecycle import queue_near_repeat_alerts as near_repeat_alerts
from grannsamverkan.web import context as form
from grannsamverkan.web.context import default_kommun, kommun_choices, page

FIELD_KEYS = ("name_field", "ref_field", "kommun_field")
CRS_CHOICES = {"": "WGS 84 (lon/lat) eller filens crs", "EPSG:3006": "SWEREF 99 TM (EPSG:3006)"}


class ImportPages(Controller):
    path = "/import"
    include_in_schema = False
    opt = {"upload": True}  # the form's body may be a file up to the upload limit (web/csrf.py)

    @get("/", opt={"capability": "write"})
    async def index(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template:
        return await import_page(request, db, principal)

    @post("/omraden", opt={"capability": "write"})
    async def import_areas(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template:
        data = await request.form()
        fields: dict[str, str | None] = {}
        try:
            fields = {key: form.text(data, key, required=False) or None for key in FIELD_KEYS}
            body = await form.upload(data, "file")
            crs = form.text(data, "crs", required=False)
            mapping = gis.FieldMapping(name=fields["name_field"], external_ref=fields["ref_field"], kommun=fields["kommun_field"])
            summary = await area_cases.import_area_file(db, principal, body, crs=crs, mapping=mapping)
        except GrannsamverkanError as exc:
            return await import_page(request, db, principal, which="areas", failure=exc, fields=fields)
        return await import_page(
            request,
            db,
            principal,
            which="areas",
            fields=fields,
            result={"Nya områden": summary.inserted, "Ändrade": summary.updated, "Oförändrade": summary.unchanged},
            warnings=summary.warnings,
        )

    @post("/hushall", opt={"capability": "write"})
    async def import_households(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template:
        data = await request.form()
        kommun = None
        try:
            kommun = form.text(data, "kommun") or ""
            body = await form.upload(data, "file")
            principal.require_kommun(kommun)
            await kommuner.require_known(db, [kommun])
            result = await household_cases.import_households(db, principal, kommun, body)
        except GrannsamverkanError as exc:
            return await import_page(request, db, principal, which="households", failure=exc, kommun=kommun)
        return await import_page(
            request,
            db,
            principal,
            which="households",
            kommun=kommun,
            result={
                "Nya hushåll": result.inserted,
                "Ändrade": result.updated,
                "I ett område": result.assigned,
                "Utanför alla områden": result.unassigned,
                "Utan position": result.without_position,
            },
            warnings=result.warnings,
        )

    @post("/inbrott", opt={"capability": "write"})
    async def import_burglaries(self, request: Request[Any, Any, Any], db: Db, principal: Caller) -> Template:
        data = await request.form()
        kommun = None
        try:
            kommun = form.text(data, "kommun") or ""
            upload = data.get("file")
            body = await form.upload(data, "file")
            principal.require_kommun(kommun)
            await kommuner.require_known(db, [kommun])
            result = await burglary_cases.import_burglaries(db, principal, kommun, body, content_type=getattr(upload, "content_type", None))
            await near_repeat_alerts(db, kommun)  # contact persons of active groups within 400 m (issue 19)
        except GrannsamverkanError as exc:
            return await import_page(request, db, principal, which="burglaries", failure=exc, kommun=kommun)
        return await import_page(
            request,
            db,
            principal,
            which="burglaries",
            kommun=kommun,
            result={
                "Nya inbrott": result.inserted,
                "Ändrade": result.updated,
                "Oförändrade": result.unchanged,
                "Överhoppade": result.skipped,
                "I ett område": result.assigned,
                "Utanför alla områden": result.unassigned,
            },
        )


async def import_page(
    request: Request[Any, Any, Any],
    db: Any,
    principal: Principal,
    *,
    which: str | None = None,
    failure: GrannsamverkanError | None = None,
    result: dict[str, int] | None = None,
    kommun: str | None = None,
    fields: dict[str, str | None] | None = None,
    warnings: list[str] | None = None,
) -> Template:
    return page(
        request,
        "import.html.j2",
        status_code=failure.status if failure else 200,
        which=which,
        failure=failure,
        result=result,
        choices=await kommun_choices(db, principal),
        selected=kommun or default_kommun(principal),
        crs_choices=CRS_CHOICES,
        fields=fields or {},
        warnings=warnings or [],
    )
