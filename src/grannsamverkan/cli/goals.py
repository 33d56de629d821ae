"""``goals check`` (for cron: exit 0 on track, 1 behind, 2 error) and ``report`` (the yearly summary)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, Literal

import msgspec

from grannsamverkan import messages
from grannsamverkan.cli import (
    EXIT_OK,
    KOMMUN_HELP,
    PARSER_EXTENSIONS,
    command,
    command_help,
    iso_date,
    print_json,
    run_with_connection,
    whole_number,
)
from grannsamverkan.domain import numbers
from grannsamverkan.domain.access import SYSTEM
from grannsamverkan.domain.calendar import today_in_sweden
from grannsamverkan.domain.goals import GOAL_STATUS_LABELS, GoalStatus, expected_by
from grannsamverkan.errors import InvalidInput

EXIT_BEHIND = 1


def check_line(kommun_name: str, goal: GoalStatus) -> str:
    """``2283 Sollefteå 2026: 3 av 10 nya grupper, väntat 8,2 vid 2026-11-23 – efter plan``."""
    expected = numbers.expected(expected_by(goal.target_new_groups, goal.year, goal.as_of))
    line = f"{goal.kommun} {kommun_name} {goal.year}: {goal.new_groups} av {goal.target_new_groups} nya grupper, väntat {expected}"
    if goal.target_info_meetings is not None:
        expected_meetings = numbers.expected(expected_by(goal.target_info_meetings, goal.year, goal.as_of))
        line += f"; {goal.info_meetings} av {goal.target_info_meetings} informationsmöten, väntat {expected_meetings}"
    return f"{line} vid {goal.as_of.isoformat()} – {GOAL_STATUS_LABELS[goal.status].lower()}"


class CheckResult(msgspec.Struct, kw_only=True):
    """``goals check --json``."""

    year: int
    as_of: date
    ok: bool
    exit_code: int
    goals: list[GoalStatus]


@command("goals check")
def goals_check(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.db import goals  # the ranking behind the report pulls in scipy: only when asked

    as_of = args.as_of or today_in_sweden()

    async def work(conn: Any) -> int:
        checks = await goals.check_goals(conn, args.year, args.kommun or None, as_of)
        behind = any(c.goal.status == "behind" for c in checks)
        code = EXIT_BEHIND if behind else EXIT_OK
        if args.json:
            print_json(CheckResult(year=args.year, as_of=as_of, ok=not behind, exit_code=code, goals=[c.goal for c in checks]))
        else:
            for c in checks:
                print(check_line(c.kommun_name, c.goal))
        return code

    return run_with_connection(settings, work)


@command("report")
def report(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services.report import render, yearly_report  # jinja2 and the promises: only when asked

    as_of = args.as_of or today_in_sweden()
    fmt: Literal["md", "html"] = args.format or ("html" if args.output and args.output.suffix.lower() in (".html", ".htm") else "md")

    async def work(conn: Any) -> int:
        text = render(await yearly_report(conn, args.kommun, args.year, as_of, SYSTEM.scope), fmt)
        if args.output:
            try:
                args.output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise InvalidInput.at("output", "file.unwritable", path=args.output, reason=messages.os_reason(exc)) from exc
            print(f"skrev {args.output} ({fmt}, {numbers.count(len(text.encode('utf-8')))} byte)", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return EXIT_OK

    return run_with_connection(settings, work)


def _extend(sub: Any, common: argparse.ArgumentParser) -> None:
    goals_parser = sub.add_parser("goals", help=command_help("goals"))
    actions = goals_parser.add_subparsers(dest="goals_command", required=True, metavar="ÅTGÄRD")
    p = actions.add_parser(
        "check",
        parents=[common],
        help="kontrollera årets mål (för cron): slutstatus 0 om uppnådda eller enligt plan, 1 om efter plan, 2 vid fel",
        description=(
            "Skriver en rad per kommun. Slutstatus 0 när varje mål är uppnått eller enligt plan, 1 när något "
            "ligger efter plan, 2 vid fel (okänd kommun, inget mål satt, databasen går inte att nå)."
        ),
    )
    p.add_argument("--year", type=whole_number, required=True, metavar="ÅR", help="kalenderåret som målen gäller")
    p.add_argument("--kommun", action="append", help="SCB:s kommunkod (kan upprepas; standard: varje kommun som har ett mål)")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="ÅÅÅÅ-MM-DD", help="bedöm per den här dagen (standard: i dag)")
    p.add_argument("--json", action="store_true", help="skriv ut målens hela status som JSON")

    p = sub.add_parser(
        "report",
        parents=[common],
        help=command_help("report"),
    )
    p.add_argument("--kommun", required=True, help=KOMMUN_HELP)
    p.add_argument("--year", type=whole_number, required=True, metavar="ÅR", help="rapportens år")
    p.add_argument(
        "--format", choices=["md", "html"], default=None, help="md (standard) eller html (standard när --output slutar på .html)"
    )
    p.add_argument("--output", type=Path, default=None, metavar="FIL", help="skriv till den här filen i stället för till standard ut")
    p.add_argument("--as-of", type=iso_date, default=None, metavar="ÅÅÅÅ-MM-DD", help="rapportens dag (standard: i dag)")


PARSER_EXTENSIONS.append(_extend)
