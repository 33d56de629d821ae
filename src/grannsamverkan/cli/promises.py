"""``promises check`` (for cron: exit 0 all on track or met, 1 any behind or missed, 2 error).

Heavy modules are imported inside the command, so ``grannsamverkan --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from grannsamverkan.cli import EXIT_OK, PARSER_EXTENSIONS, command, command_help, iso_date, print_json, run_with_connection

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
    actions = parser.add_subparsers(dest="promises_command", required=True, metavar="ACTION")
    p = actions.add_parser(
        "check",
        parents=[common],
        help="check the year's promises (for cron): exit 0 on track or met, 1 behind or missed, 2 error",
        description=(
            "Print one line per promise whose period meets the year, in Swedish, and when the written "
            "summary is due (the council's last meeting of the year, 'OBS' from 30 days before it). "
            "Exit 0 when every promise is met, on track or not started, 1 when any is behind or missed, "
            "2 on error (unknown kommun, no promises, database unreachable)."
        ),
    )
    p.add_argument("--year", type=int, required=True, help="calendar year the promises' periods meet")
    p.add_argument("--kommun", action="append", help="SCB kommun code (repeatable; default: every kommun with promises)")
    p.add_argument("--as-of", type=iso_date, default=None, help="judge at this day (YYYY-MM-DD; default today)")
    p.add_argument("--json", action="store_true", help="print the promises, their progress and the summaries due as JSON")


PARSER_EXTENSIONS.append(_extend)
