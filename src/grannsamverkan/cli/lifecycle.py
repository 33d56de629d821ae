"""``lifecycle``: the scheduled jobs of a group's life (issue 19).

```text
grannsamverkan lifecycle lapse [--kommun 2283 ...] [--as-of 2027-06-01] [--json]
    (for cron: active groups not renewed within the grace period, or without a contact person,
     become lapsed; prints one line per group)
grannsamverkan lifecycle alerts [--kommun 2283 ...] [--watch SECONDS]
    (near-repeat alerts: queues mail to the contact persons of active groups within 400 m of a
     burglary of the last 8 weeks, once per incident and group; places send-mail delivers them)
```
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from typing import Any

from grannsamverkan.cli import (
    EXIT_OK,
    PARSER_EXTENSIONS,
    cli_actor,
    command,
    command_help,
    decimal_number,
    iso_date,
    print_json,
    run_with_connection,
)
from grannsamverkan.cli.summaries import counted
from grannsamverkan.db import kommuner
from grannsamverkan.domain.calendar import today_in_sweden
from grannsamverkan.services import lifecycle
from grannsamverkan.settings import Settings


@command("lifecycle lapse")
def lapse(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        if args.kommun:
            await kommuner.require_known(conn, args.kommun)
        today: date = args.as_of or today_in_sweden()
        lapsed = await lifecycle.lapse_overdue(conn, cli_actor(), today, args.kommun or None)
        if args.json:
            print_json(lapsed)
        else:
            for line in lapsed:
                why = line.renewal.words if line.renewal else ""
                print(f"{line.kommun} grupp {line.group_id} {line.name} ({line.area_name}): vilande – {why}")
            print(f"{counted(len(lapsed), 'grupp', 'grupper')} blev vilande per {today}.")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("lifecycle alerts")
def alerts(args: argparse.Namespace, settings: Settings) -> int:
    async def work(conn: Any) -> int:
        while True:
            if args.kommun:
                await kommuner.require_known(conn, args.kommun)
            for kommun in args.kommun or await lifecycle.kommuner_with_recent_burglaries(conn):
                queued = await lifecycle.queue_near_repeat_alerts(conn, kommun)
                if queued.alerts or not args.watch:
                    alerts = counted(queued.alerts, "varning", "varningar")
                    print(f"{kommun}: {alerts} om inbrott i närheten, {counted(queued.mails, 'brev', 'brev')} i kön", flush=True)
            if not args.watch:
                return EXIT_OK
            await asyncio.sleep(args.watch)

    return run_with_connection(settings, work)


def extend_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    group = sub.add_parser("lifecycle", help=command_help("lifecycle"))
    actions = group.add_subparsers(dest="lifecycle_command", required=True, metavar="ÅTGÄRD")
    kommun_help = "SCB:s kommunkod (kan upprepas; standard: alla kommuner)"
    p = actions.add_parser(
        "lapse",
        parents=[common],
        help="för cron: grupper som inte förnyats inom respittiden, eller som saknar kontaktombud, blir vilande",
    )
    p.add_argument("--kommun", action="append", default=[], help=kommun_help)
    p.add_argument("--as-of", type=iso_date, default=None, metavar="ÅÅÅÅ-MM-DD", help="dagen att bedöma efter (standard: i dag i Sverige)")
    p.add_argument("--json", action="store_true", help="skriv ut grupperna som blev vilande som JSON")
    p = actions.add_parser(
        "alerts",
        parents=[common],
        help="lägg varningar om inbrott i närheten i kö till kontaktombuden (400 m, 8 veckor; en gång per inbrott och grupp)",
    )
    p.add_argument("--kommun", action="append", default=[], help=kommun_help)
    p.add_argument(
        "--watch", type=decimal_number, default=0, metavar="SEKUNDER", help="fortsätt köra och titta igen efter så många sekunder"
    )


PARSER_EXTENSIONS.append(extend_parser)
