"""What every controller shares: the per-request connection, pagination and list shape."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import asyncpg
import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, FromQuery, QueryParameter

from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.calendar import today_in_sweden

T = TypeVar("T")

# Handler parameters named ``db`` and ``principal`` are filled by the app's dependencies.
Db = NamedDependency[asyncpg.Connection]
Caller = NamedDependency[Principal]
__all__ = ["FromPath", "FromQuery", "today_in_sweden"]  # re-exported: every handler declares where a parameter comes from

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="page size (max 1000)")]
# Use as `limit: Limit = 100, offset: Offset = 0, kommun: KommunFilter = None`.
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000_000, description="items to skip")]
KommunFilter = Annotated[
    list[str] | None,
    QueryParameter(description="SCB kommun code(s), e.g. 2283 (repeatable)"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One pooled connection per request, given back when the request ends."""
    async with state.pool.acquire(timeout=10) as conn:
        yield conn


def raw_body_operation(media_type: str, description: str, schema: Schema | None = None) -> type[Operation]:
    """An OpenAPI operation documenting a body the handler reads itself (CSV, GeoJSON)."""

    @dataclass
    class RawBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={media_type: OpenAPIMediaType(schema=schema or Schema(type=OpenAPIType.STRING))},
                description=description,
                required=True,
            )

    return RawBodyOperation


GEOJSON_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="GeoJSON (RFC 7946) Feature or FeatureCollection",
    properties={"type": Schema(type=OpenAPIType.STRING)},
    required=["type"],
)
