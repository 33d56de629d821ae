"""Delivering the mail outbox to an SMTP server, with retries.

``SMTP_URL`` (``settings.py``): ``smtp://[user:password@]host[:port]``,
``smtp://…?starttls=1`` for STARTTLS, or ``smtps://…`` for TLS from the start. The sender address
is ``GRANNSAMVERKAN_MAIL_FROM`` (default ``no-reply@grannsamverkan.invalid``).

Each batch claims due rows with ``for update skip locked`` (two senders never send the same mail),
sends them, and deletes each delivered row in the same transaction; a failure counts an attempt and
waits 30 s × 2^attempts before the next (db/outbox.py gives up after MAX_ATTEMPTS).

Who sends: the server itself while it runs (:func:`send_outbox_forever`, started by the app when
``SMTP_URL`` is set): at once when a mail is queued (the outbox's notification, db/notify.py), and
every ``GRANNSAMVERKAN_MAIL_INTERVAL_SECONDS`` for the retries; and ``grannsamverkan places
send-mail`` for cron or a server started with the interval 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
import msgspec

from grannsamverkan.db import outbox
from grannsamverkan.errors import InvalidInput
from grannsamverkan.settings import Settings

log = logging.getLogger("grannsamverkan")
DEFAULT_FROM: Final = "no-reply@grannsamverkan.invalid"
RETRY_BASE_SECONDS: Final = 30.0


class SmtpTarget(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int
    tls: bool = False
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    sender: str = DEFAULT_FROM


def smtp_target(url: str | None = None, sender: str | None = None) -> SmtpTarget:
    """The SMTP server from ``url`` (default: the SMTP_URL variable); 422 naming SMTP_URL when unusable."""
    if url is None or sender is None:
        settings = Settings.from_env()
        url = url if url is not None else settings.smtp_url or ""
        sender = sender or settings.mail_from
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidInput("mail.smtp_url")
    query = parse_qs(parts.query)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise InvalidInput("mail.smtp_port") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "smtps",
        starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
    )


def _send(target: SmtpTarget, mail: outbox.Mail) -> None:
    message = EmailMessage()
    message["From"] = target.sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=target.sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    client: smtplib.SMTP
    if target.tls:
        client = smtplib.SMTP_SSL(target.host, target.port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=30)
    with client:
        if target.starttls:
            client.starttls(context=ssl.create_default_context())
        if target.user:
            client.login(target.user, target.password or "")
        client.send_message(message)


class Delivery(msgspec.Struct, kw_only=True):
    sent: int = 0
    failed: int = 0
    given_up: int = 0


async def deliver_due(conn: asyncpg.Connection, target: SmtpTarget, *, batch: int = 50) -> Delivery:
    """Send the due mail (one batch); delivered rows are deleted, failed ones wait to be retried."""
    result = Delivery()
    async with conn.transaction():
        for mail in await outbox.claim_due(conn, batch):
            try:
                await asyncio.to_thread(_send, target, mail)
            except (OSError, smtplib.SMTPException) as exc:
                result.failed += 1
                wait = RETRY_BASE_SECONDS * 2**mail.attempts
                error = f"{type(exc).__name__}: {exc}"[:300].replace(mail.recipient, "<mottagare>")
                if await outbox.failed(conn, mail.id, error, wait):
                    result.given_up += 1
                    log.error("e-post %s ges upp efter %s försök: %s", mail.id, outbox.MAX_ATTEMPTS, error)
                else:
                    log.warning("e-post %s kom inte fram (försök %s): %s", mail.id, mail.attempts + 1, error)
                continue
            await outbox.delivered(conn, mail.id)
            result.sent += 1
    return result


async def deliver_all(conn: asyncpg.Connection, target: SmtpTarget) -> Delivery:
    """Batches until nothing due is left (mail that failed waits for a later run)."""
    total = Delivery()
    while True:
        step = await deliver_due(conn, target)
        total.sent, total.failed, total.given_up = total.sent + step.sent, total.failed + step.failed, total.given_up + step.given_up
        if step.sent == 0 or step.failed:
            return total


async def send_outbox_forever(pool: asyncpg.Pool, target: SmtpTarget, interval_seconds: float, wake: asyncio.Event | None = None) -> None:
    """Deliver the due mail for as long as the server runs (cancelled when it stops): when ``wake``
    is set (a mail was queued), and at the latest every ``interval_seconds`` (the retries). A round
    that fails (the database or the SMTP server gone) is logged with its traceback and the next
    round tries again; mail stays in the outbox until it is delivered."""
    while True:
        if wake is not None:
            wake.clear()  # a mail queued from here on wakes the next round
        try:
            async with pool.acquire() as conn:
                delivery = await deliver_all(conn, target)
            if delivery.sent or delivery.failed:
                log.info("utkorgen: %s skickade, %s misslyckade, %s uppgivna", delivery.sent, delivery.failed, delivery.given_up)
        except Exception:
            log.exception("utkorgen kunde inte skickas; nästa försök om %s s", interval_seconds)
        await _pause(interval_seconds, wake)


async def _pause(seconds: float, wake: asyncio.Event | None) -> None:
    """``seconds``, or until ``wake`` is set."""
    if wake is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)
