"""The door-knocking list of an area: its households in the order people walk the street, with
whether each has signed up to the area's group and holds its contact person.

Addresses are personal data: only callers who may read households get the list (never the police).
"""

from __future__ import annotations

import asyncpg
import msgspec

from grannsamverkan.db import areas, groups, households, kommuner
from grannsamverkan.db.areas import AreaRecord
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.addresses import address_key
from grannsamverkan.errors import NotFound

#: An area's households are listed in full (the largest areas hold a few thousand).
ALL = 1_000_000


class DoorRow(msgspec.Struct, kw_only=True):
    household: households.Household
    signed_up: bool
    contact: bool


class DoorList(msgspec.Struct, kw_only=True):
    area: AreaRecord
    kommun: kommuner.Kommun
    group: groups.Group | None
    rows: list[DoorRow]

    @property
    def signed_up(self) -> int:
        return sum(r.signed_up for r in self.rows)


async def door_list(conn: asyncpg.Connection, actor: Principal, area_id: int) -> DoorList:
    """The area's households sorted by street and house number (4, 4A, 4B, 7, 11)."""
    actor.require("read_households")
    area = await areas.get_area(conn, area_id, actor.scope)
    kommun = await kommuner.get_kommun(conn, area.kommun)
    group = await groups.get_group(conn, area.group_id, actor.scope) if area.group_id else None
    items, _ = await households.list_households(conn, in_kommuner=[area.kommun], area_id=area_id, limit=ALL, offset=0)
    signed: set[int] = set()
    with_contact: set[int] = set()
    if group:
        signups, _ = await groups.list_signups(conn, group.id, actor.scope, limit=ALL, offset=0)
        signed = {s.household_id for s in signups}
        with_contact = {c.household_id for c in await groups.list_contacts(conn, group.id, actor.scope)}
    items.sort(key=lambda h: (address_key(h.street), h.id))
    rows = [DoorRow(household=h, signed_up=h.id in signed, contact=h.id in with_contact) for h in items]
    return DoorList(area=area, kommun=kommun, group=group, rows=rows)


#: The page of households outside every area shows at most this many (with the total).
OUTSIDE_LIMIT = 2_000


class Outside(msgspec.Struct, kw_only=True):
    kommun: kommuner.Kommun
    households: list[households.Household]
    total: int


async def outside_areas(conn: asyncpg.Connection, actor: Principal, kommun_code: str) -> Outside:
    """A kommun's households that lie in no area, in street order: candidates for a new area or an
    address to correct."""
    actor.require("read_households")
    kommun = await kommuner.get_kommun(conn, kommun_code)
    if not actor.sees(kommun_code):  # outside the scope: not found, as the kommun's own page
        raise NotFound("kommun.not_yours", kommun=kommun_code)
    items, total = await households.outside_areas(conn, kommun_code, OUTSIDE_LIMIT)
    items.sort(key=lambda h: (address_key(h.street), h.id))
    return Outside(kommun=kommun, households=items, total=total)
