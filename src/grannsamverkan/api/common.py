"""What every controller shares: the per-request connection, pagination and list shape."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Generic, TypeVar

import asyncpg
import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import Parameter

from grannsamverkan.domain.access import Principal

T = TypeVar("T")

# Handler parameters named ``db`` and ``principal`` are filled by the app's dependencies.
Db = NamedDependency[asyncpg.Connection]
Caller = NamedDependency[Principal]

Limit = Annotated[int, Parameter(ge=1, le=1000, description="page size (max 1000)")]
# Use as `limit: Limit = 100, offset: Offset = 0, kommun: KommunFilter = None`.
Offset = Annotated[int, Parameter(ge=0, description="items to skip")]
KommunFilter = Annotated[
    list[str] | None,
    Parameter(description="SCB kommun code(s), e.g. 2283 (repeatable)"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    total: int


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """One pooled connection per request, given back when the request ends."""
    async with state.pool.acquire(timeout=10) as conn:
        yield conn
