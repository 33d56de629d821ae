"""End to end in headless Chromium: the Ramsele story as a coordinator does it in a browser, and
what a police officer can (not) see. The app runs in a real server (uvicorn, in a thread) against
the test database; Playwright drives Debian's chromium (no browser download).

Screenshots of every page go to the test's tmp_path and are copied to /tmp/screens/.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import TokenFactory
from tests.e2e.conftest import CHROMIUM

playwright_api = pytest.importorskip("playwright.async_api")

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
SCREENS = Path("/tmp/screens")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")


class Screens:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.n = 0
        SCREENS.mkdir(parents=True, exist_ok=True)

    async def shot(self, page: object, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        shutil.copy(path, SCREENS / path.name)
        return path


async def sign_in(page: object, base: str, token: str) -> None:
    await page.goto(f"{base}/")  # type: ignore[attr-defined]
    assert "/logga-in" in page.url  # type: ignore[attr-defined]
    await page.get_by_label("Token").fill(token)  # type: ignore[attr-defined]
    await page.get_by_role("button", name="Logga in med token").click()  # type: ignore[attr-defined]
    await page.wait_for_url(f"{base}/")  # type: ignore[attr-defined]


def areas_of_2283(folder: Path) -> Path:
    collection = json.loads((GEODATA / "demo-areas.geojson").read_text(encoding="utf-8"))
    collection["features"] = [f for f in collection["features"] if f["properties"]["kommun"] == "2283"]
    path = folder / "omraden-2283.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def nav(page: object, name: str) -> object:
    return page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name, exact=True)  # type: ignore[attr-defined]


async def upload(page: object, section: str, file: Path, button: str) -> None:
    """Upload through the page's script (progress bar, result swapped into the page)."""
    form = page.locator(f"#{section} form")  # type: ignore[attr-defined]
    await form.locator("input[type=file]").set_input_files(str(file))
    await form.get_by_role("button", name=button).click()
    await page.locator(f"#{section} .outcome .notice").wait_for()  # type: ignore[attr-defined]


async def test_ramsele_story_in_a_browser(
    server: str, browser: object, auth: TokenFactory, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    screens = Screens(tmp_path)
    coordinator = (await auth("coordinator", "2283", name="Samordnare Sollefteå"))["Authorization"].removeprefix("Bearer ")
    police = (await auth("police", "2283", name="Polisen Sollefteå"))["Authorization"].removeprefix("Bearer ")
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")  # type: ignore[attr-defined]
    page = await context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    # Sign in (a wrong token first).
    await page.goto(f"{server}/kommun/2283")
    assert "/logga-in?nasta=/kommun/2283" in page.url
    await page.get_by_label("Token").fill("fel-token")
    await page.get_by_role("button", name="Logga in med token").click()
    await page.get_by_text("Token är okänd eller återkallad.").wait_for()
    await screens.shot(page, "logga-in-fel")
    await page.get_by_label("Token").fill(coordinator)
    await page.get_by_role("button", name="Logga in med token").click()
    await page.wait_for_url(f"{server}/kommun/2283")
    cookie = next(c for c in await context.cookies() if c["name"] == "gsv_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # Import: a broken file first (line-level errors next to the file), then the demo files.
    await nav(page, "Import").click()
    await page.wait_for_url(f"{server}/import")
    broken = tmp_path / "trasig.csv"
    broken.write_text(
        "external_ref,street,postcode,city,lon,lat\nx1,Byvägen 1,880 40,Ramsele,16.48,63.53\n"
        "x2,Byvägen 2,880 40,Ramsele,63.53,16.48\nx3,Byvägen 3,880 40,Ramsele,,63.53\n",
        encoding="utf-8",
    )
    await upload(page, "import-households", broken, "Importera hushåll")
    errors = page.locator("#import-households .errors li")
    lines = [t.split(":")[0] for t in await errors.all_inner_texts()]
    assert lines == ["Rad 3", "Rad 4"], await errors.all_inner_texts()
    assert page.url == f"{server}/import"  # the script posted it, the page stayed
    await screens.shot(page, "import-fel")
    await upload(page, "import-areas", areas_of_2283(tmp_path), "Importera områden")
    assert "Nya områden" in await page.locator("#import-areas .outcome").inner_text()
    await upload(page, "import-households", GEODATA / "demo-households-2283.csv", "Importera hushåll")
    assert "Nya hushåll" in await page.locator("#import-households .outcome").inner_text()
    await upload(page, "import-burglaries", GEODATA / "demo-burglaries-2283.csv", "Importera inbrott")
    assert "Nya inbrott" in await page.locator("#import-burglaries .outcome").inner_text()
    await screens.shot(page, "import-klar")
    assert await conn.fetchval("select count(*) from household where kommun = '2283'") > 100

    # A goal for this year, before anything is established.
    await nav(page, "Mål").click()
    await page.get_by_label("Nya grupper under året").fill("4")
    await page.get_by_role("button", name="Spara målet").click()
    await page.get_by_text("Målet är sparat.").wait_for()
    assert re.search(r"^0 av 4 nya grupper", await page.locator("#goal-count").inner_text())
    await screens.shot(page, "mal-fore")

    # The kommun overview: map and sortable table (sorted from the keyboard).
    await nav(page, "Karta").click()
    await page.wait_for_url(f"{server}/kommun/2283")
    assert await page.locator(".kommun-map a.map-link").count() == 5
    households_header = page.locator("#area-table thead th").nth(2)
    await households_header.locator("button").focus()
    await page.keyboard.press("Enter")
    assert await households_header.get_attribute("aria-sort") == "ascending"
    await page.keyboard.press("Enter")
    assert await households_header.get_attribute("aria-sort") == "descending"
    await screens.shot(page, "kommun")
    # The map (Leaflet; the SVG above stays as the fallback without JavaScript): every area drawn;
    # a drag moves the map and opens no area; zoom from the Swedish buttons.
    await page.locator("#kommun-live-map[data-ready]").wait_for()
    assert await page.locator("#kommun-live-map path.map-area.leaflet-interactive").count() == 5
    live = await page.locator("#kommun-live-map").bounding_box()
    assert live
    zoom = "document.getElementById('kommun-live-map').mapState.map.getZoom()"
    before = await page.evaluate(zoom)
    await page.mouse.move(live["x"] + live["width"] / 2, live["y"] + live["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(live["x"] + live["width"] / 4, live["y"] + live["height"] / 4, steps=8)
    await page.mouse.up()
    assert page.url == f"{server}/kommun/2283"
    # One click at a time, each waited for (a click during the zoom animation is dropped); polled with
    # evaluate because wait_for_function compiles its text with eval, which the page's CSP refuses.
    for step in (1, 2):
        await page.get_by_role("button", name="Zooma in").click()
        for _ in range(50):
            if await page.evaluate(zoom) == before + step:
                break
            await page.wait_for_timeout(100)
        assert await page.evaluate(zoom) == before + step
        await page.wait_for_timeout(400)  # Leaflet's zoom animation (250 ms) ends before the next click
    await screens.shot(page, "kommun-zoomad")

    # The Ramsele area: start a group, sign up seven of ten, a contact person, establish.
    await page.locator("#area-table").get_by_role("link", name="Ramsele").click()
    area_id = await conn.fetchval("select id from area where external_ref = 'ram-by'")
    await page.wait_for_url(f"{server}/omraden/{area_id}")
    assert await page.locator("circle.dot").count() == 10
    await screens.shot(page, "omrade-utan-grupp")
    await page.get_by_role("button", name="Starta grupp").click()
    badge = page.locator("#eligibility")
    assert await badge.inner_text() == "7 hushåll till och en kontaktperson behövs"
    establish = page.get_by_role("button", name="Bilda gruppen")
    assert await establish.is_disabled()
    for n in range(1, 8):
        await page.get_by_role("button", name=re.compile(r"^Anmäl ")).first.click()
        await page.get_by_text("Hushållet är anmält.").wait_for()
        if n == 6:
            assert await badge.inner_text() == "1 hushåll till och en kontaktperson behövs"
            await screens.shot(page, "omrade-6-av-10")
    assert await badge.inner_text() == "En kontaktperson behövs"
    assert await establish.is_disabled()
    assert await page.locator("circle.dot-signed").count() == 7
    await page.get_by_label("Hushåll", exact=True).select_option(index=0)
    await page.get_by_label("Namn").fill("Anna Berg")
    await page.get_by_label("Telefon").fill("070-123 45 67")
    await page.get_by_role("button", name="Lägg till kontaktperson").click()
    await page.get_by_text("Kontaktpersonen är tillagd.").wait_for()
    assert (await badge.inner_text()).startswith("Kan bildas: 7 av 10 hushåll anmälda (70 %)")
    assert await establish.is_enabled()
    await screens.shot(page, "omrade-kan-bildas")
    await establish.click()
    await page.get_by_text("Gruppen är bildad").wait_for()
    assert await conn.fetchval("select status from watch_group where area_id = $1", area_id) == "active"
    await screens.shot(page, "omrade-aktiv")

    # The goal count went up.
    await nav(page, "Mål").click()
    assert re.search(r"^1 av 4 nya grupper", await page.locator("#goal-count").inner_text())
    assert await page.locator(".chart-wrap svg").count() == 1
    await screens.shot(page, "mal-efter")

    # Priority areas: Ramsele now has a group and is shown apart.
    await nav(page, "Prioritering").click()
    await page.get_by_label("Metod").select_option("rate")
    await page.get_by_role("button", name="Visa", exact=True).click()
    await page.wait_for_url(re.compile(r".*metod=rate.*"))
    assert "Ramsele" in await page.locator("#covered-heading + .table-wrap").inner_text()
    assert "Ramsele" not in await page.locator("#priority-table").inner_text()
    await screens.shot(page, "prioritering")

    # The same pages at 360 px: nothing wider than the screen.
    phone = await browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE", is_mobile=True)  # type: ignore[attr-defined]
    small = await phone.new_page()
    await sign_in(small, server, coordinator)
    for path, name in (
        (f"/omraden/{area_id}", "mobil-omrade"),
        ("/kommun/2283", "mobil-kommun"),
        ("/prioritering?kommun=2283", "mobil-prioritering"),
        ("/mal?kommun=2283", "mobil-mal"),
    ):
        await small.goto(server + path)
        await screens.shot(small, name)
        wide = await small.evaluate(
            """() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
        )
        assert await small.evaluate("document.documentElement.scrollWidth") <= 360, (path, wide)
    await phone.close()

    # The police: areas, groups and priorities, but no household addresses, dots or sign-up lists.
    officer = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")  # type: ignore[attr-defined]
    police_page = await officer.new_page()
    await sign_in(police_page, server, police)
    await police_page.goto(f"{server}/omraden/{area_id}")
    text = await police_page.locator("main").inner_text()
    assert "Anna Berg" in text  # contact persons are for the police
    street = await conn.fetchval("select street from household where area_id = $1 order by id limit 1", area_id)
    assert street not in await police_page.content()
    assert await police_page.locator("circle.dot").count() == 0
    assert await police_page.get_by_role("button", name=re.compile("Anmäl")).count() == 0
    assert await nav(police_page, "Import").count() == 0
    await screens.shot(police_page, "polis-omrade")
    response = await police_page.goto(f"{server}/omraden/{area_id}/hushall")
    assert response is not None and response.status == 403
    assert street not in await police_page.content()
    await screens.shot(police_page, "polis-hushall-403")
    await police_page.goto(f"{server}/kommun/2283")
    await screens.shot(police_page, "polis-kommun")
    await officer.close()

    await context.close()
    # Only the answers the story provoked on purpose (wrong token, broken file, police 403); no script errors.
    assert not [e for e in console_errors if "server responded with a status of 4" not in e], console_errors


async def test_the_api_page_renders_the_openapi_document_without_a_cdn(server: str, browser: object, tmp_path: Path) -> None:
    """Swagger UI comes from the app (swagger-ui-py) and renders the OpenAPI 3.1 document; every
    request the page makes goes to the app itself."""
    page = await browser.new_page()  # type: ignore[attr-defined]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto(f"{server}/schema/")
    await page.locator(".opblock-summary-path", has_text="/api/v1/groups/{group_id}/eligibility").first.wait_for(timeout=15_000)
    assert await page.locator(".opblock").count() > 20
    await Screens(tmp_path).shot(page, "api-schema")
    assert requested and all(url.startswith(server) for url in requested), [u for u in requested if not u.startswith(server)]
    await page.close()
