"""Use cases of households' personal data: erasure, imports that may move households out of the
area of a group where they hold the contact person, and address changes from the pages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import asyncpg
import msgspec

from grannsamverkan.db import audit, groups, household_import, households
from grannsamverkan.domain.access import Principal
from grannsamverkan.domain.addresses import check_address
from grannsamverkan.geo.gis_points import PointFields, as_features, households_csv, is_gis_file
from grannsamverkan.services.groups import CONTACT_TABLES


async def erase_household(conn: asyncpg.Connection, actor: Principal, household_id: int) -> None:
    """Erase a household: its row, sign-ups and contact persons, their values in the audit trail
    (the fact that changes happened stays), and the old row versions in the data files."""
    async with conn.transaction():
        row = await households.lock_for_erasure(conn, actor, household_id)
        held = await groups.contacts_held_by(conn, household_id)
        signed_up = await households.signed_up_groups(conn, household_id)
        # The row first: its sign-ups and contact persons go with it (foreign keys), locking the
        # area row before the group rows, as every household write does.
        await households.delete_household(conn, household_id)
        erased = await groups.record_erasures(conn, actor, row["kommun"], held, reason="the household was erased")
        await audit.record(
            conn,
            actor,
            kommun=row["kommun"],
            table="household",
            row_id=household_id,
            action="erase",
            after={"area_id": row["area_id"], "signups_withdrawn": signed_up, "contact_persons_erased": len(erased)},
        )
    await audit.scrub(conn, [*CONTACT_TABLES, row["partition"]])


async def import_households(
    conn: asyncpg.Connection,
    actor: Principal,
    kommun: str,
    data: bytes | Path,
    *,
    fields: PointFields | None = None,
    crs: str | None = None,
    erase_contacts: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    started: household_import.ReadAhead | None = None,
) -> household_import.ImportResult:
    """A household import (db.household_import.import_households) of a CSV, or of a GIS file's points
    (GeoPackage, (zipped) shapefile, GeoJSON; told by its bytes, a path is a ``.shp``) with
    ``fields`` naming its fields. Households it moves out of a group's area where they hold the
    contact person are refused with 409, or, when the caller confirmed it, their contact persons
    are erased explicitly (and scrubbed from the data files). The warning about households without
    a position names the page that lists them."""
    if is_gis_file(data):
        csv = await asyncio.to_thread(households_csv, data, fields, crs=crs)  # seconds of CPU for a big file: off the event loop
        with as_features():
            result = await household_import.import_households(
                conn, actor, kommun, csv, erase_contacts=erase_contacts, on_progress=on_progress
            )
    else:
        assert isinstance(data, bytes)
        result = await household_import.import_households(
            conn, actor, kommun, data, erase_contacts=erase_contacts, on_progress=on_progress, started=started
        )
    if result.contact_persons_erased:
        await audit.scrub(conn, CONTACT_TABLES)
    if result.without_position:
        plain = household_import.without_position_warning(result.without_position)
        result.warnings = [_with_link(w, kommun) if w == plain else w for w in result.warnings]
    return result


def start_reading(data: bytes | Path, kommun: str) -> household_import.ReadAhead | None:
    """A CSV's fast reader started before the import has its connection (``started`` of
    :func:`import_households`); None for a GIS file, which is converted first."""
    if isinstance(data, Path) or is_gis_file(data):
        return None
    return household_import.start_reading(data, kommun)


def outside_areas_path(kommun: str) -> str:
    """The page listing a kommun's households in no area, those without a position among them."""
    return f"/kommun/{kommun}/utanfor-omraden"


def _with_link(warning: str, kommun: str) -> str:
    return f"{warning}; de listas på {outside_areas_path(kommun)}"


async def update_address(
    conn: asyncpg.Connection, actor: Principal, household_id: int, street: str | None, postcode: str | None, city: str | None
) -> households.Household:
    """Change a household's street, postcode and city (checked, 422 naming the field); audited."""
    address = check_address(street, postcode, city)
    async with conn.transaction():
        row = await households.address_for_update(conn, actor, household_id)
        before = {k: row[k] for k in ("street", "postcode", "city")}
        after = msgspec.to_builtins(address)
        if before != after:
            await households.update_address(conn, household_id, row["kommun"], address.street, address.postcode, address.city)
            await audit.record(
                conn, actor, kommun=row["kommun"], table="household", row_id=household_id, action="update", before=before, after=after
            )
    return await households.get_household(conn, household_id, actor.scope)
