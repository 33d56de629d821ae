"""``promises check`` (for cron: exit 0 all on track or met, 1 any behind or missed, 2 error).

Heavy modules are imported inside the command, so ``grannsamverkan --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from grannsamverkan.cli import EXIT_OK, PARSER_EXTENSIONS, command, command_help, iso_date, print_json, run_with_connection, whole_number

EXIT_FAILING = 1


@command("promises check")
def promises_check(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.domain.calendar import today_in_sweden
    from grannsamverkan.services import promises

    as_of = args.as_of or today_in_sweden()

    async def work(conn: Any) -> int:
        check = await promises.check_promises(conn, args.year, args.kommun or None, as_of)
        code = EXIT_OK if check.ok else EXIT_FAILING
        if args.json:
            print_json(check)
        else:
            for line in check.lines:
                print(line.line)
            for due in check.summaries:
                print(promises.summary_line(due))
        return code

    return run_with_connection(settings, work)


def _extend(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("promises", help=command_help("promises"))
    actions = parser.add_subparsers(dest="promises_command", required=True, metavar="ÅTGÄRD")
    p = actions.add_parser(
        "check",
        parents=[common],
        help="kontrollera årets löften (för cron): slutstatus 0 om enligt plan eller uppfyllda, 1 om efter plan eller missade, 2 vid fel",
        description=(
            "Skriver en rad per löfte vars period berör året, och när den skriftliga sammanfattningen ska lämnas "
            "(rådets sista möte för året, 'OBS' från 30 dagar innan). Slutstatus 0 när varje löfte är uppfyllt, "
            "enligt plan eller inte påbörjat, 1 när något ligger efter plan eller är missat, 2 vid fel (okänd kommun, "
            "inga löften, databasen går inte att nå)."
        ),
    )
    p.add_argument("--year", type=whole_number, required=True, metavar="ÅR", help="kalenderåret som löftenas perioder berör")
    p.add_argument("--kommun", action="append", help="SCB:s kommunkod (kan upprepas; standard: varje kommun som har löften)")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="ÅÅÅÅ-MM-DD", help="bedöm per den här dagen (standard: i dag)")
    p.add_argument(
        "--json", action="store_true", help="skriv ut löftena, hur långt de har kommit och sammanfattningarna som ska lämnas, som JSON"
    )


PARSER_EXTENSIONS.append(_extend)
