"""The area page lists its reports; the yearly report has the section "Trygga fysiska platser"."""

from __future__ import annotations

import asyncpg
from litestar.testing import AsyncTestClient

from grannsamverkan.report.places import places_section, render_places
from grannsamverkan.services import places
from tests.conftest import TokenFactory
from tests.geodata import RAMSELE, area_feature
from tests.places.world import COORDINATOR, X, Y, households_at, report
from tests.web.test_pages import sign_in, token_of


async def test_area_page_lists_the_reports_inside(client: AsyncTestClient, conn: asyncpg.Connection, auth: TokenFactory) -> None:
    admin = await auth("admin")
    area = (await client.post("/api/v1/areas", json=area_feature("Ramsele centrum", "2283", RAMSELE), headers=admin)).json()
    inside = await report(conn, what="Mörk passage")
    assert inside.area_id == area["properties"]["id"]
    await sign_in(client, token_of(await auth("coordinator", "2283")))
    html = (await client.get(f"/omraden/{inside.area_id}")).text
    assert "Otrygga och trygga platser i området" in html and f"/platser/{inside.id}" in html and "ej publicerad" in html
    await sign_in(client, token_of(await auth("police", "2283")))
    assert f"/platser/{inside.id}" not in (await client.get(f"/omraden/{inside.area_id}")).text


async def test_yearly_report_section(conn: asyncpg.Connection, client: AsyncTestClient, auth: TokenFactory) -> None:
    await households_at(conn, "2283", [(X, Y)] * 5)
    a = await places.publish(conn, COORDINATOR, (await report(conn, reporter="a")).id)
    await places.support(conn, a.id, "2283", "b")
    b = await report(conn, category="trafik", reporter="c")
    await places.set_status(conn, COORDINATOR, b.id, places.StatusUpdate(status="fixed"))
    year = a.created_at.year
    section = await places_section(conn, "2283", year)
    assert (section.total, section.handled) == (2, 1)
    assert [(t.id, t.supporters) for t in section.top] == [(a.id, 2)]
    md = render_places(section, "md")
    assert "## Trygga fysiska platser" in md and "| Belysning | 1 | 0 | Inkommen 1 |" in md and "| Trafik | 1 | 1 | Åtgärdad 1 |" in md
    html = render_places(section, "html")
    assert "<svg" in html and html.count("<circle") == 1
    response = await client.get(f"/api/v1/reports/2283/{year}?format=md", headers=await auth("admin"))
    if response.status_code == 200:  # the report needs a goal of the year; without one it is 404
        assert "## Trygga fysiska platser" in response.text
    await conn.execute("insert into goal (kommun, year, target_new_groups) values ('2283', $1, 3)", year)
    response = await client.get(f"/api/v1/reports/2283/{year}?format=html", headers=await auth("admin"))
    assert response.status_code == 200, response.text
    assert "Trygga fysiska platser" in response.text and response.text.rstrip().endswith("</html>")
