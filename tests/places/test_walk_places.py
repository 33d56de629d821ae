"""A trygghetsvandring's points are place reports: logged once, followed up in the places workflow."""

from __future__ import annotations

from datetime import date

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.db.places import PlaceFilter
from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.geo.crs import sweref_to_wgs84
from grannsamverkan.services import places, promises
from tests.conftest import TokenFactory
from tests.places.world import COORDINATOR, X, Y, households_at

_lon, _lat = sweref_to_wgs84([X], [Y])
LON, LAT = round(float(_lon[0]), 6), round(float(_lat[0]), 6)


async def walk(conn: asyncpg.Connection, *points: promises.WalkPointInput) -> promises.db.Activity:
    """A trygghetsvandring in Ramsele (Sollefteå) with these points, logged by the coordinator."""
    return await promises.log_activity(
        conn,
        COORDINATOR,
        promises.ActivityInput(kommun="2283", held_on=date(2026, 9, 15), kind="trygghetsvandring", place="Ramsele", walk_points=list(points)),
    )


async def test_a_logged_walk_point_is_in_the_places_list(conn: asyncpg.Connection) -> None:
    await households_at(conn, "2283", [(X + i, Y + i) for i in range(5)])
    logged = await walk(
        conn, promises.WalkPointInput(place="Gångvägen bakom skolan", problem="Mörkt, lampan trasig", lon=LON, lat=LAT)
    )
    items, total = await places.list_for(
        conn, COORDINATOR, PlaceFilter(kommuner=["2283"], source="trygghetsvandring"), limit=10, offset=0
    )
    assert total == 1
    assert items[0].what == "Mörkt, lampan trasig" and items[0].source == "trygghetsvandring"
    assert logged.walk_points[0].place_report_id == items[0].id
