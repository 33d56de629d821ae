"""Area names on the live map never cover one another (noticed on /platser at the kommun's zoom,
where the demo's three central names overlapped): a name that would overlap one already shown is
hidden until the map is zoomed in, and shows again there. Screenshots go to /tmp/screens/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TokenFactory
from tests.e2e import test_browser as story
from tests.e2e.conftest import watched_page
from tests.e2e.test_browser import Screens, sign_in
from tests.geodata import RAMSELE, area_feature

pytestmark = story.pytestmark

# Eight narrow areas side by side north of Ramsele, each with a long name: at the kommun page's
# zoom on a phone, their names are far wider than the areas.
NAMES = [f"Långa Gränsvägens {word} del" for word in ("första", "andra", "tredje", "fjärde", "femte", "sjätte", "sjunde", "åttonde")]


async def labels(page: Any) -> list[dict[str, Any]]:
    """Every area name on the map: its box on the screen, and whether it is shown."""
    return await page.evaluate(
        """() => Array.from(document.querySelectorAll("#kommun-live-map .leaflet-tooltip.map-label")).map(el => {
             const r = el.getBoundingClientRect();
             return {text: el.textContent, shown: getComputedStyle(el).visibility !== "hidden",
                     left: r.left, right: r.right, top: r.top, bottom: r.bottom};
           })"""
    )


def overlapping(shown: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(shown)
        for b in shown[i + 1 :]
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]


async def test_area_names_that_would_overlap_are_hidden_until_zoomed_in(
    server: str, browser: Any, auth: TokenFactory, tmp_path: Path
) -> None:
    screens = Screens(tmp_path)
    headers = await auth("coordinator", "2283", name="Samordnare Sollefteå")
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=60) as api:
        for i, name in enumerate(NAMES):
            centre = (RAMSELE[0] + 0.0042 * i, RAMSELE[1] + 0.05)
            made = await api.post("/api/v1/areas", json=area_feature(name, "2283", centre, half=0.002))
            assert made.status_code == 201, made.text
    page, errors = await watched_page(browser, width=360, height=800)
    await sign_in(page, server, headers["Authorization"].removeprefix("Bearer "))
    await page.goto(f"{server}/kommun/2283")
    await page.locator("#kommun-live-map[data-ready]").wait_for()

    names = await labels(page)
    shown = [n for n in names if n["shown"]]
    assert len(names) == len(NAMES)
    assert 0 < len(shown) < len(NAMES)  # some hidden at this zoom ...
    assert overlapping(shown) == []  # ... and those shown do not cover one another
    await screens.shot(page, "karta-namn-360")

    hidden = next(n["text"] for n in names if not n["shown"])
    index = NAMES.index(hidden)
    await page.evaluate(
        "([lat, lon]) => document.getElementById('kommun-live-map').mapState.map.setView([lat, lon], 17, {animate: false})",
        [RAMSELE[1] + 0.05, RAMSELE[0] + 0.0042 * index],
    )
    await page.wait_for_function(
        "name => Array.from(document.querySelectorAll('#kommun-live-map .leaflet-tooltip.map-label'))"
        ".some(el => el.textContent === name && getComputedStyle(el).visibility !== 'hidden')",
        arg=hidden,
    )
    assert overlapping([n for n in await labels(page) if n["shown"]]) == []
    await screens.shot(page, "karta-namn-inzoomad-360")
    assert not errors, errors
