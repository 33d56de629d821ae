"""A real HTTP server for the attack tests (slow clients, big forms): the app in uvicorn on a free
port, in a thread with its own event loop, and a probe that measures /health while an attack runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress

import httpx
import msgspec
import pytest

from grannsamverkan.settings import Settings
from tests.servers import running

LiveServer = Callable[..., "contextmanager[tuple[str, int]]"]


@pytest.fixture
def live_server(database_url: str):  # type: ignore[no-untyped-def]
    """``with live_server(pool_max_size=4) as (host, port):`` the app on a real socket."""

    def start(**overrides: object):  # type: ignore[no-untyped-def]
        base = Settings(database_url=database_url, token_cache_seconds=0, pool_min_size=1, pool_max_size=4)
        return running(msgspec.structs.replace(base, **overrides))

    return start


class HealthProbe:
    """Asks /health every ``interval`` seconds while it runs; keeps each answer's status and time."""

    def __init__(self, host: str, port: int, interval: float = 0.1) -> None:
        self.url = f"http://{host}:{port}/health"
        self.interval = interval
        self.samples: list[tuple[int, float]] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                started = time.monotonic()
                try:
                    status = (await client.get(self.url)).status_code
                except httpx.HTTPError:
                    status = 0
                self.samples.append((status, time.monotonic() - started))
                await asyncio.sleep(self.interval)

    async def __aenter__(self) -> HealthProbe:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task

    @property
    def worst(self) -> float:
        return max(t for _, t in self.samples)

    @property
    def statuses(self) -> set[int]:
        return {s for s, _ in self.samples}
