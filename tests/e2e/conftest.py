"""The browser tests' fixtures: the app in uvicorn against the test's database, and Debian's
chromium through Playwright (no browser download), started once for the whole run; each test opens
contexts of its own (own cookies and storage), and whatever it leaves open is closed after it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from grannsamverkan.settings import Settings
from tests.servers import running

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=sv-SE",
]


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    """The app in uvicorn on a free port, in a background thread with its own event loop."""
    settings = Settings(
        database_url=database_url, token_cache_seconds=0, pool_min_size=1, pool_max_size=4, map_tile_url="none"
    )  # offline: no background tiles
    with running(settings) as (host, port):
        yield f"http://{host}:{port}"


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    """One chromium for the run (starting it takes about a second)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def browser(chromium: Any) -> AsyncIterator[Any]:
    """The run's chromium; the contexts (and pages) a test opened are closed after it."""
    yield chromium
    for context in chromium.contexts:
        await context.close()


async def watched_page(browser: Any, *, width: int = 1280, height: int = 900) -> tuple[Any, list[str]]:
    """A new page in Swedish at ``width`` px, and the list its console errors and uncaught
    script errors are gathered in (the test asserts on it)."""
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors
