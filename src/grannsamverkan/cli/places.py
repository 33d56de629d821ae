"""``places``: Open311 api keys, the mail sender and the retention job of the e-service for places.

```text
grannsamverkan places api-key-create --name APP --kommun 2505 [--kommun ...]   (the key is printed once)
grannsamverkan places send-mail [--watch SECONDS]      (delivers the outbox to SMTP_URL)
grannsamverkan places erase-expired [--days N]         (for cron: erases contact addresses past retention)
```
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from typing import Any

import asyncpg

from grannsamverkan.cli import EXIT_OK, PARSER_EXTENSIONS, cli_actor, command, command_help, run_with_connection
from grannsamverkan.db import audit, kommuner
from grannsamverkan.db import places as place_db
from grannsamverkan.errors import Conflict
from grannsamverkan.services import mail, places
from grannsamverkan.settings import Settings

KEY_PREFIX = "o311_"


@command("places api-key-create")
def api_key_create(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        await kommuner.require_known(conn, args.kommun)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        try:
            async with conn.transaction():
                client_id = await place_db.create_client(conn, args.name, args.kommun, key)
                await audit.record(
                    conn,
                    cli_actor(),
                    kommun=None,
                    table="open311_client",
                    row_id=client_id,
                    action="insert",
                    after={"name": args.name, "kommuner": sorted(set(args.kommun))},
                )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict("open311.key_name_taken", name=repr(args.name)) from exc
        print(f"api_key för {args.name!r} (kommun {', '.join(sorted(set(args.kommun)))}); den visas bara en gång:")
        print(key)
        return EXIT_OK

    return run_with_connection(settings, work)


@command("places send-mail")
def send_mail(args: argparse.Namespace, settings: Settings) -> int:
    target = mail.smtp_target()

    async def work(conn: Any) -> int:
        while True:
            result = await mail.deliver_all(conn, target)
            if result.sent or result.failed:
                print(f"skickade {result.sent}, misslyckade {result.failed} (gav upp {result.given_up})", flush=True)
            if not args.watch:
                return EXIT_OK
            await asyncio.sleep(args.watch)

    return run_with_connection(settings, work)


@command("places erase-expired")
def erase_expired(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        summary = await places.erase_expired(conn, cli_actor(), args.days)
        print(
            f"raderade {summary.contacts_erased} e-postadresser och {summary.mails_dropped} ej levererade brev "
            f"äldre än {summary.retention_days} dagar"
        )
        return EXIT_OK

    return run_with_connection(settings, work)


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("places", help=command_help("places"))
    actions = group.add_subparsers(dest="places_command", required=True, metavar="ACTION")
    p = actions.add_parser("api-key-create", parents=[common], help="an Open311 api_key for a partner app (printed once)")
    p.add_argument("--name", required=True, help="the app's name (shown in the review queue)")
    p.add_argument("--kommun", action="append", required=True, help="SCB kommun code the app may report to (repeatable)")
    p = actions.add_parser("send-mail", parents=[common], help="deliver the mail outbox to SMTP_URL")
    p.add_argument("--watch", type=float, default=0, metavar="SECONDS", help="keep running, checking every SECONDS")
    p = actions.add_parser("erase-expired", parents=[common], help="erase reporters' e-mail addresses past the retention period")
    p.add_argument(
        "--days", type=int, default=None, help="retention in days (default: GRANNSAMVERKAN_PLACES_RETENTION_DAYS, 180 unless set)"
    )


PARSER_EXTENSIONS.append(extend_parser)
