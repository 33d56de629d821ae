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

from grannsamverkan.cli import (
    EXIT_OK,
    PARSER_EXTENSIONS,
    cli_actor,
    command,
    command_help,
    decimal_number,
    run_with_connection,
    whole_number,
)
from grannsamverkan.cli.summaries import counted
from grannsamverkan.db import audit, kommuner
from grannsamverkan.db import places as place_db
from grannsamverkan.domain import numbers
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
                sent, failed, given_up = numbers.count(result.sent), numbers.count(result.failed), numbers.count(result.given_up)
                print(f"skickade {sent}, misslyckade {failed} (gav upp {given_up})", flush=True)
            if not args.watch:
                return EXIT_OK
            await asyncio.sleep(args.watch)

    return run_with_connection(settings, work)


@command("places erase-expired")
def erase_expired(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        summary = await places.erase_expired(conn, cli_actor(), args.days)
        print(
            f"raderade {counted(summary.contacts_erased, 'e-postadress', 'e-postadresser')} och "
            f"{numbers.count(summary.mails_dropped)} ej levererade brev äldre än {counted(summary.retention_days, 'dag', 'dagar')}"
        )
        return EXIT_OK

    return run_with_connection(settings, work)


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("places", help=command_help("places"))
    actions = group.add_subparsers(dest="places_command", required=True, metavar="ÅTGÄRD")
    p = actions.add_parser("api-key-create", parents=[common], help="en Open311-nyckel (api_key) för en samarbetsapp (skrivs ut en gång)")
    p.add_argument("--name", required=True, metavar="NAMN", help="appens namn (syns i granskningskön)")
    p.add_argument("--kommun", action="append", required=True, help="SCB:s kommunkod som appen får rapportera till (kan upprepas)")
    p = actions.add_parser("send-mail", parents=[common], help="skicka e-posten i utkorgen till SMTP_URL")
    p.add_argument(
        "--watch", type=decimal_number, default=0, metavar="SEKUNDER", help="fortsätt köra och titta igen efter så många sekunder"
    )
    p = actions.add_parser("erase-expired", parents=[common], help="radera anmälarnas e-postadresser när gallringstiden har gått ut")
    p.add_argument(
        "--days",
        type=whole_number,
        default=None,
        metavar="DAGAR",
        help="gallringstiden i dagar (standard: GRANNSAMVERKAN_PLACES_RETENTION_DAYS, annars 180)",
    )


PARSER_EXTENSIONS.append(extend_parser)
