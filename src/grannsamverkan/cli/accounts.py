"""``accounts create|list|disable|enable|password``: personal accounts for signing in to the pages.

A password is read with getpass (asked twice) or, with ``--password-stdin``, as the first line of
standard input (for scripts: ``printf '%s\\n' "$PASSWORD" | grannsamverkan accounts create ...``);
never from an option, where it would end up in the shell's history and the process list.

Heavy modules are imported inside the commands, so ``grannsamverkan --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from grannsamverkan.cli import EXIT_OK, JSON_HELP, PARSER_EXTENSIONS, cli_actor, command, command_help, print_json, run_with_connection
from grannsamverkan.errors import FieldError, InvalidInput


def read_password(args: argparse.Namespace) -> str:
    """The new password from standard input's first line, or typed twice at the terminal."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    import getpass

    first = getpass.getpass("Lösenord (minst 12 tecken): ")
    again = getpass.getpass("Upprepa lösenordet: ")
    if first != again:
        raise InvalidInput("account.passwords_differ", [FieldError.of("password", "account.passwords_differ_short")])
    return first


def _scope(kommuner: list[str]) -> str:
    return ", ".join(kommuner) or "alla kommuner"


@command("accounts create")
def accounts_create(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services import accounts

    password = read_password(args)

    async def work(conn: Any) -> int:
        info = await accounts.create_account(
            conn, cli_actor(), name=args.name, role=args.role, kommuner=args.kommun or [], password=password
        )
        print(f"skapade kontot {info.name!r} (nr {info.id}, roll {info.role}, {_scope(info.kommuner)})")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("accounts list")
def accounts_list(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services import accounts

    async def work(conn: Any) -> int:
        infos = await accounts.list_accounts(conn)
        if args.json:
            print_json(infos)
            return EXIT_OK
        if not infos:
            print("inga konton (skapa ett med 'grannsamverkan accounts create')")
        for a in infos:
            state = f"avstängt {a.disabled_at:%Y-%m-%d %H:%M}" if a.disabled_at else "aktivt"
            print(f"{a.id:>4}  {a.name:<32} {a.role:<12} {','.join(a.kommuner) or '*':<20} {state}")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("accounts disable")
def accounts_disable(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services import accounts

    async def work(conn: Any) -> int:
        info = await accounts.disable_account(conn, cli_actor(), args.name_or_id)
        print(f"kontot {info.name!r} (nr {info.id}) är avstängt; dess inloggningar är avslutade")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("accounts enable")
def accounts_enable(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services import accounts

    async def work(conn: Any) -> int:
        info = await accounts.enable_account(conn, cli_actor(), args.name_or_id)
        print(f"kontot {info.name!r} (nr {info.id}) kan logga in igen")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("accounts password")
def accounts_password(args: argparse.Namespace, settings: Any) -> int:
    from grannsamverkan.services import accounts

    password = read_password(args)

    async def work(conn: Any) -> int:
        info = await accounts.change_password(conn, cli_actor(), args.name_or_id, password)
        print(f"kontot {info.name!r} (nr {info.id}) har ett nytt lösenord; dess inloggningar är avslutade")
        return EXIT_OK

    return run_with_connection(settings, work)


def _extend(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("accounts", help=command_help("accounts"))
    actions = parser.add_subparsers(dest="accounts_command", required=True, metavar="ÅTGÄRD")
    stdin_help = "läs lösenordet från första raden på standard in i stället för att fråga två gånger"
    name_or_id = "kontots namn eller nummer"

    p = actions.add_parser(
        "create",
        parents=[common],
        help="skapa ett personligt konto (namn och lösenord) för inloggning på sidorna",
        description="Lösenordet (minst 12 tecken) efterfrågas två gånger, eller läses med --password-stdin.",
    )
    p.add_argument("--name", required=True, metavar="NAMN", help="en e-postadress eller ett kort namn (bokstäver, siffror och . @ + ' - _)")
    p.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "police"],
        help="behörighet: admin, coordinator (samordnare) eller police (polis)",
    )
    p.add_argument("--kommun", action="append", help="SCB:s kommunkod som kontot får se (kan upprepas; inte för admin)")
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)

    p = actions.add_parser("list", parents=[common], help="lista konton (aldrig deras lösenord)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)

    p = actions.add_parser("disable", parents=[common], help="stäng av ett konto med namn eller nummer; dess inloggningar avslutas direkt")
    p.add_argument("name_or_id", metavar="NAMN_ELLER_NR", help=name_or_id)

    p = actions.add_parser("enable", parents=[common], help="låt ett avstängt konto logga in igen (med sitt lösenord)")
    p.add_argument("name_or_id", metavar="NAMN_ELLER_NR", help=name_or_id)

    p = actions.add_parser("password", parents=[common], help="ge ett konto ett nytt lösenord; dess inloggningar avslutas direkt")
    p.add_argument("name_or_id", metavar="NAMN_ELLER_NR", help=name_or_id)
    p.add_argument("--password-stdin", action="store_true", help=stdin_help)


PARSER_EXTENSIONS.append(_extend)
