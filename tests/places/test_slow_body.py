"""A public submission whose body arrives slowly holds no database connection meanwhile: with a
pool of one connection, another visitor's page (which needs that connection) is answered while
the slow body is still arriving. Runs against a real server (uvicorn) on a real socket."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlencode

import asyncpg
import httpx
import pytest
import uvicorn

from grannsamverkan.app import create_app
from grannsamverkan.settings import Settings
from tests.places.test_places_pages import form
from tests.servers import free_port
from tests.web.test_pages import csrf_of


@pytest.fixture
def one_connection_server(database_url: str) -> Iterator[str]:
    settings = Settings(database_url=database_url, token_cache_seconds=0, pool_min_size=1, pool_max_size=1)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, run_migrations=False), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def test_slow_body_holds_no_connection(one_connection_server: str, conn: asyncpg.Connection) -> None:
    base = one_connection_server
    async with httpx.AsyncClient(base_url=base, timeout=20) as slow_client, httpx.AsyncClient(base_url=base, timeout=20) as other:
        csrf = csrf_of((await slow_client.get("/trygghet/2283")).text)
        body = urlencode(form(csrf)).encode()

        async def trickle() -> AsyncIterator[bytes]:
            for i in range(0, len(body), 25):
                yield body[i : i + 25]
                await asyncio.sleep(0.1)

        started = time.monotonic()
        post = asyncio.create_task(
            slow_client.post(
                "/trygghet/2283",
                content=trickle(),
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    # the token in the header: the CSRF check reads no body,
                    # so the handler is the first to read it
                    "x-csrf-token": csrf,
                },
            )
        )
        await asyncio.sleep(0.4)
        page = await other.get("/trygghet/2283")
        answered_after = time.monotonic() - started
        assert page.status_code == 200
        assert not post.done(), "the slow body should still be arriving"
        response = await post
        finished_after = time.monotonic() - started
    assert response.status_code == 303, response.text
    assert answered_after < finished_after - 0.3, (answered_after, finished_after)
    assert await conn.fetchval("select count(*) from place_report") == 1
