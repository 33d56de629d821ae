"""Health, reference data and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.params import QueryParameter

from grannsamverkan.db import audit, kommuner
from grannsamverkan.db.pool import UNAVAILABLE_ERRORS, ping
from grannsamverkan.errors import DatabaseUnavailable
from grannsamverkan.http.common import Caller, Db, KommunFilter, Limit, Offset, Page
from grannsamverkan.http.problem import PROBLEM_JSON, TYPE_BASE, Problem


class Health(msgspec.Struct):
    status: str
    database: str


# The database is gone, unreachable or too slow to say "1".
NO_ANSWER: tuple[type[Exception], ...] = (*UNAVAILABLE_ERRORS, TimeoutError)


@get("/health", operation_id="getHealth", tags=["system"], opt={"capability": "public"})
async def health(state: State) -> Response[Any]:
    try:
        async with state.pool.acquire(timeout=2) as conn:
            await ping(conn, within_seconds=2)
    except NO_ANSWER as exc:
        unavailable = DatabaseUnavailable("database.unavailable")
        problem = Problem(
            type=TYPE_BASE + unavailable.type_slug,
            title=unavailable.title,
            status=503,
            detail=f"{unavailable.detail} ({type(exc).__name__})",
            code=unavailable.code,
            instance="/health",
        )
        return Response(problem, status_code=503, media_type=PROBLEM_JSON)
    return Response(Health(status="ok", database="ok"))


class KommunController(Controller):
    path = "/api/v1/kommuner"
    tags = ["reference"]

    @get("/", operation_id="listKommuner", opt={"capability": "read"})
    async def list_kommuner(self, db: Db) -> Page[kommuner.Kommun]:
        """All 290 kommuner with SCB codes (reference data, the same for every role)."""
        items = await kommuner.list_kommuner(db)
        return Page(items=items, total=len(items))


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get("/", operation_id="listAuditEvents", opt={"capability": "admin"})
    async def list_events(
        self,
        db: Db,
        principal: Caller,
        kommun: KommunFilter = None,
        limit: Limit = 100,
        offset: Offset = 0,
        table: Annotated[str | None, QueryParameter(description="table name, e.g. household")] = None,
        row_id: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Page[audit.AuditEvent]:
        """Every write: who, when, what, values before and after (newest first)."""
        items, total = await audit.list_events(
            db, kommuner=principal.visible_kommuner(kommun), table=table, row_id=row_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)
