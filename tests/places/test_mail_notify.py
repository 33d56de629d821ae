"""The server's mail sender wakes up when a mail is queued (NOTIFY from the outbox's insert), so a
status change's mail leaves at once instead of at the next round of
GRANNSAMVERKAN_MAIL_INTERVAL_SECONDS, which stays the pause between retries."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from grannsamverkan.app import create_app
from grannsamverkan.db import outbox
from grannsamverkan.services import mail, places
from grannsamverkan.settings import Settings
from tests.places.test_mail import Inbox, smtp  # noqa: F401  # smtp: the real SMTP server's fixture
from tests.places.world import COORDINATOR, report

# A bound to wait for, not a timing goal: without the notification the mail would wait 60 s.
DELIVERY_SECONDS = 5.0


async def delivered(inbox: Inbox, count: int, seconds: float = DELIVERY_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_a_mail_queued_while_the_server_runs_leaves_at_once(
    conn: asyncpg.Connection,
    settings: Settings,
    smtp: tuple[Inbox, mail.SmtpTarget],  # noqa: F811
) -> None:
    inbox, target = smtp
    first = await report(conn, email="forst@example.se")
    second = await report(conn, email="sedan@example.se")
    await places.set_status(conn, COORDINATOR, first.id, places.StatusUpdate(status="in_progress"))
    serving = msgspec.structs.replace(settings, smtp_url=f"smtp://{target.host}:{target.port}", mail_interval_seconds=60)
    async with AsyncTestClient(app=create_app(serving, run_migrations=False)):
        assert await delivered(inbox, 1)  # the sender's first round, at start-up
        # Queued by another connection (a coordinator's request, the command line) after that round.
        await places.set_status(conn, COORDINATOR, second.id, places.StatusUpdate(status="in_progress"))
        assert await delivered(inbox, 2), "the mail waits for the next round (60 s)"
    assert [m["To"] for m in inbox.messages] == ["forst@example.se", "sedan@example.se"]
    assert await outbox.pending(conn) == 0
