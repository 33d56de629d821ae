"""Fixtures for the place tests: a point in Ramsele (Sollefteå, 2283) and households around it."""

from __future__ import annotations

import asyncpg

from grannsamverkan.domain.access import Principal
from grannsamverkan.geo.crs import WGS84, to_sweref
from grannsamverkan.services import places
from tests.geodata import ARVIDSJAUR, RAMSELE

_xs, _ys = to_sweref([RAMSELE[0]], [RAMSELE[1]], WGS84)
# A point inside the 100 m cell (not at its centre), so blurring moves it.
X, Y = float(_xs[0]) // 100 * 100 + 23.0, float(_ys[0]) // 100 * 100 + 71.0
_ax, _ay = to_sweref([ARVIDSJAUR[0]], [ARVIDSJAUR[1]], WGS84)
AX, AY = float(_ax[0]), float(_ay[0])

COORDINATOR = Principal(token_id=1, name="samordnare", role="coordinator", kommuner=("2283",))
POLICE = Principal(token_id=2, name="polis", role="police", kommuner=("2283",))
OTHER = Principal(token_id=3, name="annan", role="coordinator", kommuner=("2505",))


async def households_at(conn: asyncpg.Connection, kommun: str, points: list[tuple[float, float]]) -> None:
    await conn.executemany("insert into household (kommun, street, x, y) values ($1, 'Gata', $2, $3)", [(kommun, x, y) for x, y in points])


async def report(
    conn: asyncpg.Connection,
    *,
    x: float = X,
    y: float = Y,
    category: str = "belysning",
    what: str = "Trasig belysning på gångvägen",
    email: str | None = None,
    reporter: str = "r1",
    kommun: str = "2283",
) -> places.PlaceRecord:
    return await places.submit(
        conn, places.NewPlace(kommun=kommun, category=category, what=what, x=x, y=y, email=email, time_of_day="kvall"), reporter
    )
