"""In headless Chromium: the door-knocking list printed (the PDF holds the list and no menu) and
exported as CSV (a household named =HYPERLINK(…) stays text), and every page a coordinator uses
at 360 and 1280 px without sideways scrolling. Screenshots go to /tmp/screens/ (look at them)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import TokenFactory
from tests.e2e import test_browser as story
from tests.e2e.test_browser import GEODATA, SCREENS, Screens, sign_in
from tests.geodata import RAMSELE, area_feature, grid_points

pypdf = pytest.importorskip("pypdf")

# The app in uvicorn against the test database, and Debian's chromium: tests/e2e/conftest.py.
pytestmark = story.pytestmark

HYPERLINK = '=HYPERLINK("http://x")'
STREETS = ["Granvägen 16", "Granvägen 4B", "Granvägen 11", "Granvägen 4", "Granvägen 13", "Granvägen 7", "Granvägen 4A", HYPERLINK]


async def seed(base: str, headers: dict[str, str]) -> int:
    """The demo areas and households of Sollefteå, and Granvägen (north of Ramsele) with odd
    addresses and a group; answers Granvägen's area id."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as api:
        collection = json.loads((GEODATA / "demo-areas.geojson").read_text(encoding="utf-8"))
        collection["features"] = [f for f in collection["features"] if f["properties"]["kommun"] == "2283"]
        assert (await api.post("/api/v1/areas/import", json=collection)).status_code == 200
        csv_body = (GEODATA / "demo-households-2283.csv").read_bytes()
        imported = await api.post("/api/v1/households/import?kommun=2283", content=csv_body, headers={"content-type": "text/csv"})
        assert imported.status_code == 200, imported.text
        centre = (RAMSELE[0], RAMSELE[1] + 0.05)
        made = await api.post("/api/v1/areas", json=area_feature("Granvägen", "2283", centre, kind="flerbostadshus"))
        assert made.status_code == 201, made.text
        area_id = made.json()["properties"]["id"]
        ids = []
        for street, (lon, lat) in zip(STREETS, grid_points(centre, len(STREETS)), strict=True):
            household = await api.post(
                "/api/v1/households",
                json={
                    "kommun": "2283",
                    "street": street,
                    "postcode": "880 40",
                    "city": "Ramsele",
                    "location": {"type": "Point", "coordinates": [lon, lat]},
                },
            )
            assert household.status_code == 201, household.text
            ids.append(household.json()["id"])
        group = await api.post(
            "/api/v1/groups", json={"area_id": area_id, "kind": "grannsamverkan", "name": "Grannsamverkan Granvägen med ett långt namn"}
        )
        for household_id in ids[:3]:
            await api.post(f"/api/v1/groups/{group.json()['id']}/signups", json={"household_id": household_id})
    return area_id


async def test_the_door_list_prints_alone_and_exports_safe_csv(
    server: str,
    browser: object,
    auth: TokenFactory,
    tmp_path: Path,
) -> None:
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    area_id = await seed(server, headers)
    context = await browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, locale="sv-SE", accept_downloads=True
    )
    page = await context.new_page()
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))

    await page.goto(f"{server}/omraden/{area_id}")
    await page.get_by_role("link", name="Dörrknackningslista").click()
    await page.wait_for_url(f"{server}/omraden/{area_id}/knacklista")
    screens = Screens(tmp_path)
    await screens.shot(page, "knacklista")

    pdf_path = tmp_path / "knacklista.pdf"
    await page.pdf(path=str(pdf_path), format="A4")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(str(pdf_path)).pages)
    assert "Dörrknackningslista: Granvägen" in text
    order = [
        s
        for s in ("Granvägen 4\n", "Granvägen 4A", "Granvägen 4B", "Granvägen 7", "Granvägen 11", "Granvägen 13", "Granvägen 16")
        if s in text
    ]
    assert len(order) == 7, text
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order)
    assert text.count("Knackat") == 1  # one list
    for chrome in ("Prioritering", "Logga ut", "Skriv ut", "Ladda ner", "Sök", "Hoppa till", "registret för kommunens"):
        assert chrome not in text, chrome
    shutil_copy(pdf_path)
    await page.emulate_media(media="print")  # what the paper shows, to look at
    assert not await page.get_by_role("navigation", name="Huvudmeny").is_visible()
    assert not await page.get_by_role("button", name="Skriv ut").is_visible()
    await screens.shot(page, "knacklista-utskrift")
    await page.emulate_media(media="screen")

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Ladda ner CSV").click()
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(str(saved))
    assert download.suggested_filename == f"knacklista-omrade-{area_id}.csv"
    rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Adress"
    assert "'" + HYPERLINK in [r[0] for r in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    await context.close()


def shutil_copy(path: Path) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / path.name).write_bytes(path.read_bytes())


async def test_no_page_scrolls_sideways_at_360_px(
    server: str,
    browser: object,
    auth: TokenFactory,
    conn: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    area_id = await seed(server, headers)
    group_id = await conn.fetchval("select id from watch_group where area_id = $1", area_id)
    household_id = await conn.fetchval("select id from household where area_id = $1 order by id limit 1", area_id)
    await conn.execute(
        "insert into signup (group_id, household_id, kommun) values ($1, $2, '2283') on conflict do nothing", group_id, household_id
    )
    await conn.execute(
        "insert into contact_person (group_id, household_id, kommun, name, phone, consent_at) "
        "values ($1, $2, '2283', 'Kim Ek', '070-123 45 67', now())",
        group_id,
        household_id,
    )
    contact_id = await conn.fetchval("select id from contact_person where group_id = $1", group_id)
    ramsele = await conn.fetchval("select id from area where external_ref = 'ram-by'")
    pages = {
        "start": "/",
        "kommun": "/kommun/2283",
        "omrade": f"/omraden/{area_id}",
        "ramsele": f"/omraden/{ramsele}",
        "hushall": f"/omraden/{area_id}/hushall",
        "knacklista": f"/omraden/{area_id}/knacklista",
        "andra-omrade": f"/omraden/{area_id}/andra",
        "andra-hushall": f"/hushall/{household_id}/andra",
        "andra-kontakt": f"/grupper/{group_id}/kontaktpersoner/{contact_id}/andra",
        "sok": "/sok?q=gran",
        "prioritering": "/prioritering?kommun=2283",
        "mal": "/mal?kommun=2283",
        "import": "/import",
        "utanfor": "/kommun/2283/utanfor-omraden",
        "fel": "/omraden/999999",
        # issue #16: the rest of the pages a coordinator opens, and a refused form at its field
        "prioritering-datum": "/prioritering?kommun=2283&fran=2026-05-01&till=2026-04-01",
        "grupp-liv": f"/grupper/{group_id}/liv",
        "fornyelse": "/fornyelse",
        "platser": "/platser",
        "loften": "/loften",
        "loften-logga": "/loften/logga",
        "trygghet": "/trygghet/2283",
        "adress-saknas": "/finns-inte",
    }
    too_wide: dict[str, int] = {}
    screens = Screens(tmp_path)
    for width in (360, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 800}, locale="sv-SE")  # type: ignore[attr-defined]
        page = await context.new_page()
        await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))
        for name, path in pages.items():
            await page.goto(server + path)
            scroll = await page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide[f"{name}@{width}"] = scroll
            # nothing inside a table cell spills over its cell
            spills = await page.evaluate("""() => [...document.querySelectorAll('td, th, .facts div')]
                .filter(c => c.scrollWidth > c.clientWidth + 1)
                .map(c => c.textContent.trim().slice(0, 40))""")
            if spills:
                too_wide[f"{name}@{width} cells"] = len(spills)
            if width == 1280:  # menu, search box and who is signed in on one line
                header = await page.locator("header.site").bounding_box()
                if header and header["height"] > 70:
                    too_wide[f"{name}@{width} header"] = int(header["height"])
            await screens.shot(page, f"{name}-{width}")
        await context.close()
    assert not too_wide, too_wide
