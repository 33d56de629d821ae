"""Search across the registry for the pages: areas, groups and (for those who may read households)
addresses, always within the caller's kommuner."""

from __future__ import annotations

from typing import Final

import asyncpg
import msgspec

from grannsamverkan.db import search as queries
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.addresses import address_key
from grannsamverkan.domain.text import one_line
from grannsamverkan.errors import InvalidInput

#: At most this many hits of each kind (the page says when there are more).
LIMIT: Final = 50
MIN_LENGTH: Final = 2
MAX_LENGTH: Final = 100


class SearchResult(msgspec.Struct, kw_only=True):
    text: str
    areas: list[queries.AreaHit]
    groups: list[queries.GroupHit]
    addresses: list[queries.AddressHit]
    addresses_shown: bool
    limit: int = LIMIT

    @property
    def total(self) -> int:
        return len(self.areas) + len(self.groups) + len(self.addresses)


def search_text(raw: str | None) -> str:
    """The text to search for, or InvalidInput (422) naming the field ``q``, in Swedish."""
    text = one_line(raw or "")
    if len(text) < MIN_LENGTH:
        raise InvalidInput.at("q", "search.too_short", min=MIN_LENGTH)
    if len(text) > MAX_LENGTH:
        raise InvalidInput.at("q", "search.too_long", max=MAX_LENGTH)
    return text


async def search(conn: asyncpg.Connection, actor: Principal, raw: str | None) -> SearchResult:
    """Areas and groups by name, addresses by street, postcode or city (never for the police)."""
    actor.require("read")
    text = search_text(raw)
    scope = actor.scope
    addresses_shown = actor.can("read_households")
    addresses = await queries.search_addresses(conn, scope, text, LIMIT + 1) if addresses_shown else []
    addresses.sort(key=lambda a: (address_key(a.street), a.id))
    return SearchResult(
        text=text,
        areas=await queries.search_areas(conn, scope, text, LIMIT + 1),
        groups=await queries.search_groups(conn, scope, text, LIMIT + 1),
        addresses=addresses,
        addresses_shown=addresses_shown,
    )
