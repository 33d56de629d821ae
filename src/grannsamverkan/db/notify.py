"""What another process did in the database, heard at once: PostgreSQL's LISTEN/NOTIFY.

Each server process keeps one connection of its own (never a pooled one) listening on the
channels it needs: ``REVOKED`` (a sign-in ended: the token cache is emptied; sent by the triggers
of migration 0016) and ``OUTBOX`` (a mail was queued: the sender wakes up; sent by
``db/outbox.py``). A notification is sent when the change commits, never for one rolled back.

A connection that is lost (the server restarted, the backend terminated, the network gone) or no
longer answers the periodic check is logged and reported with ``on_state(False)``, so the process
stops trusting what it would have been told; the listener then connects again, with a growing
pause, and reports ``on_state(True)`` once it listens again (whatever happened in between was not
heard, so that is a reason to forget as well).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Final

import asyncpg

from grannsamverkan.db.pool import UNAVAILABLE_ERRORS

log = logging.getLogger("grannsamverkan")

REVOKED: Final = "grannsamverkan_revoked"
OUTBOX: Final = "grannsamverkan_outbox"
# How the listening connection shows in pg_stat_activity.
APPLICATION_NAME: Final = "grannsamverkan-listen"

CHECK: Final = "select 1"

# A connection that fails or does not answer (a refusal such as too many connections included).
_FAILURES: Final = (*UNAVAILABLE_ERRORS, asyncpg.PostgresError, TimeoutError)

Handler = Callable[[str], None]
"""Called with a notification's payload, in the event loop (it must not block)."""


class Listener:
    """One listening connection and the task that watches it (``start``, then ``close``)."""

    def __init__(
        self,
        url: str,
        handlers: Mapping[str, Handler],
        on_state: Callable[[bool], None],
        *,
        check_seconds: float = 10.0,
        retry_seconds: float = 0.5,
        max_retry_seconds: float = 30.0,
    ) -> None:
        self.url = url
        self.handlers = dict(handlers)
        self.on_state = on_state
        self.check_seconds = check_seconds
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self._conn: asyncpg.Connection | None = None
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen (a failure to connect now stops start-up, as the pool's would), then watch."""
        await self._listen()
        self._task = asyncio.create_task(self._watch(), name="notify-listener")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_connection()

    async def _listen(self) -> None:
        self._lost = asyncio.Event()
        lost = self._lost
        conn = await asyncpg.connect(self.url, server_settings={"application_name": APPLICATION_NAME})
        conn.add_termination_listener(lambda _conn: lost.set())
        self._conn = conn
        for channel, handler in self.handlers.items():
            await conn.add_listener(channel, _callback(handler))
        self.on_state(True)

    async def _watch(self) -> None:
        while True:
            await self._until_lost()
            log.warning("databasens meddelanden hörs inte längre; inloggningar kontrolleras vid varje begäran tills de hörs igen")
            self.on_state(False)
            await self._drop_connection()
            await self._reconnect()
            log.warning("databasens meddelanden hörs igen")

    async def _until_lost(self) -> None:
        """Returns when the connection is closed, or does not answer a check within check_seconds."""
        conn = self._conn
        assert conn is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.check_seconds)
                return
            try:
                await conn.fetchval(CHECK, timeout=self.check_seconds)
            except _FAILURES:
                return

    async def _reconnect(self) -> None:
        pause = self.retry_seconds
        while True:
            await asyncio.sleep(pause)
            try:
                await self._listen()
                return
            except _FAILURES as exc:
                await self._drop_connection()
                log.warning("att lyssna efter databasens meddelanden misslyckades (%s); nästa försök om %s s", exc, pause)
                pause = min(pause * 2, self.max_retry_seconds)

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), 5)
            except _FAILURES:
                conn.terminate()


def _callback(handler: Handler) -> Callable[[object, int, str, str], None]:
    def callback(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        handler(payload)

    return callback
