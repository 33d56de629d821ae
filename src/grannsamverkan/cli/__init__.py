"""The command line: ``grannsamverkan`` (also ``python -m grannsamverkan``).

Every command that touches the database uses DATABASE_URL when set, else the embedded PostgreSQL
in --data-dir / GRANNSAMVERKAN_DATA_DIR. Errors go to stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TextIO

from grannsamverkan.domain.text import printable
from grannsamverkan.errors import GrannsamverkanError, InvalidInput

if TYPE_CHECKING:
    from grannsamverkan.domain.access import Principal
    from grannsamverkan.settings import Settings

# The command line starts fast (`--help` and a cron's `goals check` must not pay for asyncpg,
# scipy or Litestar they do not use): the database, the settings and each sub-command's module
# are imported when a command runs, not when the program starts.

EXIT_OK, EXIT_ERROR = 0, 2

Command = Callable[[argparse.Namespace, "Settings"], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = func
        return func

    return register


def settings_from(args: argparse.Namespace) -> Settings:
    from grannsamverkan.settings import Settings

    return Settings.from_env(data_dir=getattr(args, "data_dir", None))


async def database_url(settings: Settings, *, migrated: bool = True) -> str:
    from grannsamverkan.db.embedded import resolve_database_url
    from grannsamverkan.db.migrate import migrate

    url = await resolve_database_url(settings.database_url, settings.data_dir)
    if migrated:
        await migrate(url)
    return url


def run_with_connection(settings: Settings, work: Callable[[Any], Awaitable[int]]) -> int:
    """Run ``work(conn)`` on one migrated connection."""

    import asyncio

    from grannsamverkan.db.pool import connect

    async def main() -> int:
        conn = await connect(await database_url(settings))
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


def cli_actor() -> Principal:
    """Command-line writes are audited as ``cli:<OS user>``; the command line has full access."""
    import getpass

    from grannsamverkan.domain.access import Principal

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return Principal(token_id=0, name=f"cli:{user}", role="admin")


def read_file(path: Path) -> bytes:
    """A command's input file, or a clear error naming it."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput.at("FILE", "file.unreadable", path=path, reason=exc.strerror) from None


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD options."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def print_json(value: object) -> None:
    import msgspec

    sys.stdout.write(msgspec.json.encode(value).decode("utf-8") + "\n")


# --- serve ------------------------------------------------------------------------------


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    url = asyncio.run(database_url(settings))
    start_server(settings, url, host=args.host, port=args.port, workers=args.workers)
    return EXIT_OK


def start_server(settings: Settings, url: str, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    from grannsamverkan.app import create_app

    # The embedded server (if any) belongs to this process; workers reach it through its URL.
    os.environ["DATABASE_URL"] = url
    print(f"grannsamverkan serving on http://{host}:{port} (OpenAPI at /schema)", file=sys.stderr, flush=True)
    if workers > 1:
        uvicorn.run(
            "grannsamverkan.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
        )
    else:
        import msgspec

        app = create_app(msgspec.structs.replace(settings, database_url=url), serving=True)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


# --- db ------------------------------------------------------------------------------------


@command("db migrate")
def db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from grannsamverkan.db.embedded import resolve_database_url
    from grannsamverkan.db.migrate import migrate

    async def main() -> None:
        url = await resolve_database_url(settings.database_url, settings.data_dir)
        applied = await migrate(url, on_applied=lambda m: print(f"applied {m.version:04d}_{m.name}"))
        if not applied:
            print("database is up to date")

    asyncio.run(main())
    return EXIT_OK


@command("db status")
def db_status(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from grannsamverkan.db.embedded import resolve_database_url
    from grannsamverkan.db.migrate import status

    async def main() -> list[Any]:
        url = await resolve_database_url(settings.database_url, settings.data_dir)
        return await status(url)

    states = asyncio.run(main())
    for s in states:
        when = s.applied_at.isoformat(timespec="seconds") if s.applied_at else "-"
        print(f"{s.version:04d}_{s.name:<30} {s.state:<8} {when}")
    return EXIT_OK


# --- token -------------------------------------------------------------------------------


@command("token create")
def token_create(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.db import tokens

    async def work(conn: Any) -> int:
        info, token = await tokens.create_token(conn, role=args.role, kommuner=args.kommun or [], name=args.name, actor=cli_actor())
        scope = ", ".join(info.kommuner) or "all kommuner"
        print(f"created token {info.name!r} (id {info.id}, role {info.role}, {scope}); it is shown only once:")
        print(token)
        return EXIT_OK

    return run_with_connection(settings, work)


@command("token list")
def token_list(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.db import tokens

    async def work(conn: Any) -> int:
        infos = await tokens.list_tokens(conn)
        if args.json:
            print_json(infos)
            return EXIT_OK
        for t in infos:
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            print(f"{t.id:>4}  {t.name:<24} {t.role:<12} {','.join(t.kommuner) or '*':<20} {state}")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("token revoke")
def token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.db import tokens

    async def work(conn: Any) -> int:
        info = await tokens.revoke_token(conn, args.name_or_id, actor=cli_actor())
        print(f"revoked token {info.name!r} (id {info.id})")
        return EXIT_OK

    return run_with_connection(settings, work)


# --- parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the embedded PostgreSQL when DATABASE_URL is not set "
        "(default: GRANNSAMVERKAN_DATA_DIR or the user's data directory)",
    )
    parser = argparse.ArgumentParser(
        prog="grannsamverkan",
        description="Registry and eligibility service for grannsamverkan and byavakt groups.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", parents=[common], help="serve the HTTP API (migrates the database first)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per core)")

    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("migrate", parents=[common], help="apply the migrations in sql/migrations")
    db.add_parser("status", parents=[common], help="show applied and pending migrations")

    tok = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True, metavar="ACTION")
    p = tok.add_parser("create", parents=[common], help="make a token; it is printed once, alone on the last line")
    p.add_argument("--role", required=True, choices=["admin", "coordinator", "police"])
    p.add_argument("--kommun", action="append", help="SCB kommun code the token may see (repeatable; not for admin)")
    p.add_argument("--name", help="a name for the audit trail (default: role and a random suffix)")
    p = tok.add_parser("list", parents=[common], help="list tokens (never the tokens themselves)")
    p.add_argument("--json", action="store_true")
    p = tok.add_parser("revoke", parents=[common], help="revoke a token by name or id")
    p.add_argument("name_or_id")

    for extend in PARSER_EXTENSIONS:
        extend(sub, common)
    for name, lazy in LAZY_COMMANDS.items():
        if name not in sub.choices:  # its module is not loaded: listed for --help only
            sub.add_parser(name, help=lazy.help)
    return parser


class PrintableOnly:
    """Standard output without control characters: names and texts from the database reach a
    terminal as text, never as escape codes (JSON output escapes them itself)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class LazyCommand(NamedTuple):
    help: str
    modules: tuple[str, ...]


# Sub-commands whose modules load only when the command is asked for. Each module adds its
# parser to PARSER_EXTENSIONS (with the help text below) and its commands with @command.
LAZY_COMMANDS: Final[dict[str, LazyCommand]] = {
    "import": LazyCommand(
        "import areas, households or burglaries from files", ("grannsamverkan.cli.registry", "grannsamverkan.cli.ranking")
    ),
    "export": LazyCommand("export a kommun's areas to a GeoJSON or GeoPackage file", ("grannsamverkan.cli.registry",)),
    "demo": LazyCommand("load the demo data from geodata/, print an admin token and serve", ("grannsamverkan.cli.registry",)),
    "priority": LazyCommand("rank a kommun's areas by burglary statistics", ("grannsamverkan.cli.ranking",)),
    "backtest": LazyCommand(
        "judge a ranking: train on one period, count the next period's burglaries it flags", ("grannsamverkan.cli.ranking",)
    ),
    "goals": LazyCommand("yearly goals of the kommuner", ("grannsamverkan.cli.goals",)),
    "report": LazyCommand("the year's written summary for the follow-up council (Markdown or HTML)", ("grannsamverkan.cli.goals",)),
    "promises": LazyCommand("medborgarlöften: the promises of the kommuner and the police", ("grannsamverkan.cli.promises",)),
    "places": LazyCommand("the e-service for unsafe places: Open311 api keys, mail, retention", ("grannsamverkan.cli.places",)),
    "lifecycle": LazyCommand(
        "a group's life: lapse groups not renewed, near-repeat alerts to contact persons", ("grannsamverkan.cli.lifecycle",)
    ),
    "accounts": LazyCommand("personal accounts (name and password) for signing in to the pages", ("grannsamverkan.cli.accounts",)),
}
# Within a group, a command that needs fewer of the group's modules: `import households` loads
# neither the burglaries' importer nor the statistics it brings (scipy, about a second).
LAZY_SUBCOMMANDS: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("import", "areas"): ("grannsamverkan.cli.registry",),
    ("import", "households"): ("grannsamverkan.cli.registry",),
}
PARSER_EXTENSIONS: list[Callable[[Any, argparse.ArgumentParser], None]] = []
# The `import` sub-command group, made by cli.registry; other modules add their importers to it.
IMPORT_SUBPARSERS: Any = None


def command_help(name: str) -> str:
    return LAZY_COMMANDS[name].help


def _lazy_modules(argv: list[str]) -> tuple[str, ...]:
    """The modules the requested command needs (its group's, or fewer for some of its commands)."""
    words = [arg for arg in argv if not arg.startswith("-")]
    lazy = LAZY_COMMANDS.get(words[0] if words else "")
    if lazy is None:
        return ()
    return LAZY_SUBCOMMANDS.get((words[0], words[1]), lazy.modules) if len(words) > 1 else lazy.modules


def _command_key(args: argparse.Namespace) -> str:
    key = args.command
    for attr in (
        "db_command",
        "token_command",
        "import_command",
        "export_command",
        "goals_command",
        "promises_command",
        "places_command",
        "lifecycle_command",
        "accounts_command",
    ):
        if getattr(args, attr, None):
            key += " " + getattr(args, attr)
    return key


def main(argv: list[str] | None = None) -> int:
    import importlib

    argv = sys.argv[1:] if argv is None else argv
    for module in _lazy_modules(argv):
        importlib.import_module(module)  # registers its parser and commands
    parser = build_parser()
    args = parser.parse_args(argv)
    from grannsamverkan.db.pool import UNAVAILABLE_ERRORS

    try:
        with contextlib.redirect_stdout(PrintableOnly(sys.stdout)):
            return COMMANDS[_command_key(args)](args, settings_from(args))
    except GrannsamverkanError as exc:
        if getattr(args, "json", False):
            # --json: the error as JSON on stdout (the problem+json members the API answers with)
            print_json(
                {
                    "type": exc.type_slug,
                    "title": exc.title,
                    "status": exc.status,
                    "detail": exc.detail,
                    "code": exc.code,
                    "errors": exc.errors[:50],
                    **exc.extra,
                }
            )
            return EXIT_ERROR
        print(printable(f"fel: {exc.detail}"), file=sys.stderr)
        for error in exc.errors[:50] if not (len(exc.errors) == 1 and exc.errors[0].message == exc.detail) else []:
            where = f"rad {error.line}: " if error.line else f"objekt {error.feature}: " if error.feature is not None else ""
            if where and error.message.startswith(where):
                where = ""  # the message names it already
            print(printable(f"  {where}{error.field}: {error.message}"), file=sys.stderr)
        return EXIT_ERROR
    except UNAVAILABLE_ERRORS as exc:
        print(f"fel: databasen går inte att nå: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
