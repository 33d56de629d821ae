"""The command line: ``grannsamverkan`` (also ``python -m grannsamverkan``).

Every command that touches the database uses DATABASE_URL when set, else the embedded PostgreSQL
in --data-dir / GRANNSAMVERKAN_DATA_DIR. Errors go to stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple, NoReturn, TextIO

from grannsamverkan import messages
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


class FileReadAhead:
    """A command's input file, read on a thread of its own from the moment the command starts.

    Reading releases the GIL, so the file is read while the command's modules load (numpy,
    pyarrow, shapely, asyncpg: about 0.2 s) instead of after them: a national household file of
    60 MB takes about 50 ms to read, which the import then no longer waits for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._content: bytes | OSError | None = None
        self._thread = threading.Thread(target=self._read, name="file-read-ahead", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._content = self.path.read_bytes()
        except OSError as exc:  # raised by content(), where the command reads the file
            self._content = exc

    def content(self) -> bytes:
        self._thread.join()
        if isinstance(self._content, OSError):
            raise self._content
        assert self._content is not None
        return self._content


# Commands whose input file is read ahead (FileReadAhead), and the file being read, by its path.
READ_AHEAD_COMMANDS: Final = frozenset({("import", "households"), ("import", "burglaries")})
_files_read_ahead: dict[Path, FileReadAhead] = {}


def _start_read_ahead(argv: list[str]) -> None:
    """The first existing file among the command's words, read ahead for a command that reads
    one; it is used only if argparse then names the same path as the command's file."""
    words = [arg for arg in argv if not arg.startswith("-")]
    if tuple(words[:2]) not in READ_AHEAD_COMMANDS:
        return
    for word in words[2:]:
        path = Path(word)
        if path.suffix.lower() != ".shp" and path.is_file():  # a shapefile is read with its siblings, by path
            _files_read_ahead[path] = FileReadAhead(path)
            return


def read_file(path: Path) -> bytes:
    """A command's input file, or a clear error naming it."""
    ahead = _files_read_ahead.pop(path, None)
    try:
        return ahead.content() if ahead is not None else path.read_bytes()
    except OSError as exc:
        raise InvalidInput.at("FILE", "file.unreadable", path=path, reason=messages.os_reason(exc)) from None


def iso_date(text: str) -> date:
    """argparse type for YYYY-MM-DD options."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"inte ett datum (ÅÅÅÅ-MM-DD): {text!r}") from None


def whole_number(text: str) -> int:
    """argparse type for counts, years and ports: ``--year 2026``."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"inte ett heltal: {text!r}") from None


def decimal_number(text: str) -> float:
    """argparse type for shares, distances and seconds, with a decimal comma or point: ``--coverage 0,1``."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"inte ett tal: {text!r}") from None


class SilentBar:
    """A progress bar that shows nothing: the output is not a terminal (a pipe, cron's mail) or
    the caller asked for quiet."""

    def __init__(self, total: float | None = None) -> None:
        self.n: float = 0
        self.total = total

    def update(self, n: float = 1) -> None:
        self.n += n

    def __enter__(self) -> SilentBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def progress_bar(*, total: float | None, desc: str, unit: str, unit_scale: bool = False, quiet: bool = False) -> Any:
    """A tqdm bar on stderr when it is a terminal, else a :class:`SilentBar` (tqdm is then not
    even loaded: its import costs about 15 ms, which every cron run and import would pay)."""
    if quiet or not sys.stderr.isatty():
        return SilentBar(total)
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, unit_scale=unit_scale, desc=desc, file=sys.stderr, leave=False)


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


def _leave_on_sigterm(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)  # a stop that was asked for and done: success (systemd reads 143 as a failure)


def start_server(settings: Settings, url: str, *, host: str, port: int, workers: int) -> None:
    import signal

    import uvicorn

    # Stopped with SIGTERM (systemd, Docker, timeout), uvicorn shuts down and then raises the
    # signal again with the handler it found. With the default one, the process would die there,
    # before its exit handlers: the embedded PostgreSQL it started would run on alone. This one
    # leaves the ordinary way, as Ctrl+C does, with status 0.
    signal.signal(signal.SIGTERM, _leave_on_sigterm)

    from grannsamverkan.app import create_app
    from grannsamverkan.server_log import install_swedish_uvicorn_lines

    install_swedish_uvicorn_lines()
    # The embedded server (if any) belongs to this process; workers reach it through its URL.
    os.environ["DATABASE_URL"] = url
    print(f"grannsamverkan svarar på http://{host}:{port} (OpenAPI på /schema)", file=sys.stderr, flush=True)
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
        applied = await migrate(url, on_applied=lambda m: print(f"körde migreringen {m.version:04d}_{m.name}"))
        if not applied:
            print("databasen är redan uppdaterad")

    asyncio.run(main())
    return EXIT_OK


#: A migration's state as ``db status`` prints it (the migrator's "applied", "pending", "changed").
MIGRATION_STATES: Final = {"applied": "körd", "pending": "väntar", "changed": "ändrad"}


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
        print(f"{s.version:04d}_{s.name:<30} {MIGRATION_STATES.get(s.state, s.state):<8} {when}")
    return EXIT_OK


# --- token -------------------------------------------------------------------------------


@command("token create")
def token_create(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.db import tokens

    async def work(conn: Any) -> int:
        info, token = await tokens.create_token(conn, role=args.role, kommuner=args.kommun or [], name=args.name, actor=cli_actor())
        scope = ", ".join(info.kommuner) or "alla kommuner"
        print(f"skapade token {info.name!r} (nr {info.id}, roll {info.role}, {scope}); den visas bara en gång:")
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
            state = f"återkallad {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "aktiv"
            print(f"{t.id:>4}  {t.name:<24} {t.role:<12} {','.join(t.kommuner) or '*':<20} {state}")
        return EXIT_OK

    return run_with_connection(settings, work)


@command("token revoke")
def token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from grannsamverkan.db import tokens

    async def work(conn: Any) -> int:
        info = await tokens.revoke_token(conn, args.name_or_id, actor=cli_actor())
        print(f"återkallade token {info.name!r} (nr {info.id})")
        return EXIT_OK

    return run_with_connection(settings, work)


# --- parser -----------------------------------------------------------------------------

#: argparse's own words in Swedish, by the message ids of Python 3.11 to 3.13 (their `_()` and
#: `ngettext()` calls; 3.13 added the warnings and the section heading). What a person can see:
#: the help, and the errors of a command line typed wrong. An id not listed reads as it is.
ARGPARSE_WORDS: Final = {
    "usage: ": "användning: ",
    "positional arguments": "argument",
    "options": "flaggor",
    "subcommands": "underkommandon",
    "%(heading)s:": "%(heading)s:",
    "show this help message and exit": "visa den här hjälptexten och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    " (default: %(default)s)": " (standard: %(default)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: varning: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "följande saknas: %s",
    "one of the arguments %s is required": "ett av följande behövs: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "invalid %(type)s value: %(value)r": "ogiltigt värde: %(value)r",
    "expected one argument": "ett värde behövs",
    "expected at most one argument": "högst ett värde får anges",
    "expected at least one argument": "minst ett värde behövs",
    "expected %s argument": "%s värde behövs",
    "expected %s arguments": "%s värden behövs",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydig flagga: %(option)s kan vara %(matches)s",
    "not allowed with argument %s": "får inte användas tillsammans med %s",
    "ignored explicit argument %r": "tar inget värde: %r",
    "unexpected option string: %s": "oväntad flagga: %s",
    "can't open '%(filename)s': %(error)s": "kan inte öppna '%(filename)s': %(error)s",
    "option '%(option)s' is deprecated": "flaggan '%(option)s' är föråldrad",
    "command '%(parser_name)s' is deprecated": "kommandot '%(parser_name)s' är föråldrat",
    "argument '%(argument_name)s' is deprecated": "argumentet '%(argument_name)s' är föråldrat",
}


def _swedish(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


def _swedish_plural(singular: str, plural: str, n: int) -> str:
    return _swedish(singular if n == 1 else plural)


@contextlib.contextmanager
def _argparse_in_swedish() -> Iterator[None]:
    """argparse looks its words up through its module's ``_`` and ``ngettext`` (gettext's) at each
    use; for the span of a call they answer from :data:`ARGPARSE_WORDS`, then gettext again."""
    words = vars(argparse)
    saved = words["_"], words["ngettext"]
    words["_"], words["ngettext"] = _swedish, _swedish_plural
    try:
        yield
    finally:
        words["_"], words["ngettext"] = saved


class SwedishParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (headings, ``-h``, usage and errors) are Swedish; its
    sub-parsers are of this class too. Only while it builds, parses or formats: other parsers
    in the process (pytest's) keep theirs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _argparse_in_swedish():
            super().__init__(*args, **kwargs)

    def parse_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        with _argparse_in_swedish():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Iterable[str] | None = None, namespace: Any = None) -> Any:
        with _argparse_in_swedish():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        with _argparse_in_swedish():
            return super().format_usage()

    def format_help(self) -> str:
        with _argparse_in_swedish():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        with _argparse_in_swedish():
            super().error(message)


KOMMUN_HELP: Final = "SCB:s kommunkod, t.ex. 2283"
JSON_HELP: Final = "skriv ut svaret som JSON"


def build_parser() -> argparse.ArgumentParser:
    common = SwedishParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="MAPP",
        help="mappen för den inbyggda PostgreSQL-databasen när DATABASE_URL inte är satt "
        "(standard: GRANNSAMVERKAN_DATA_DIR eller användarens datamapp)",
    )
    parser = SwedishParser(
        prog="grannsamverkan",
        description="Register för grannsamverkan och byavakter: områden, hushåll, grupper, inbrott och uppföljning.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    p = sub.add_parser("serve", parents=[common], help="starta webbtjänsten med API och sidor (migrerar databasen först)")
    server_options(p)
    p.add_argument(
        "--workers",
        type=whole_number,
        default=os.cpu_count() or 1,
        metavar="ANTAL",
        help="antal arbetsprocesser (standard: en per processorkärna)",
    )

    db = sub.add_parser("db", help="databasens migreringar").add_subparsers(dest="db_command", required=True, metavar="ÅTGÄRD")
    db.add_parser("migrate", parents=[common], help="kör migreringarna i sql/migrations")
    db.add_parser("status", parents=[common], help="visa vilka migreringar som är körda och vilka som väntar")

    tok = sub.add_parser("token", help="token för API:t").add_subparsers(dest="token_command", required=True, metavar="ÅTGÄRD")
    p = tok.add_parser("create", parents=[common], help="skapa en token; den skrivs ut en gång, ensam på sista raden")
    p.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "police"],
        help="behörighet: admin, coordinator (samordnare) eller police (polis)",
    )
    p.add_argument("--kommun", action="append", help="SCB:s kommunkod som token får se (kan upprepas; inte för admin)")
    p.add_argument("--name", metavar="NAMN", help="ett namn i loggen över ändringar (standard: rollen och en slumpad ändelse)")
    p = tok.add_parser("list", parents=[common], help="lista token (aldrig själva token)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p = tok.add_parser("revoke", parents=[common], help="återkalla en token med namn eller nummer")
    p.add_argument("name_or_id", metavar="NAMN_ELLER_NR", help="tokenens namn eller nummer")

    for extend in PARSER_EXTENSIONS:
        extend(sub, common)
    for name, lazy in LAZY_COMMANDS.items():
        if name not in sub.choices:  # its module is not loaded: listed for --help only
            sub.add_parser(name, help=lazy.help)
    return parser


def server_options(p: argparse.ArgumentParser) -> None:
    """``--host`` and ``--port`` of ``serve`` and ``demo``."""
    p.add_argument("--host", default="127.0.0.1", metavar="ADRESS", help="adressen att lyssna på (standard 127.0.0.1)")
    p.add_argument("--port", type=whole_number, default=8000, metavar="PORT", help="porten att lyssna på (standard 8000)")


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
        "läs in områden, hushåll eller inbrott från filer", ("grannsamverkan.cli.registry", "grannsamverkan.cli.ranking")
    ),
    "export": LazyCommand("skriv en kommuns områden till en GeoJSON- eller GeoPackage-fil", ("grannsamverkan.cli.registry",)),
    "demo": LazyCommand("läs in demodata från geodata/, skriv ut en admin-token och starta webbtjänsten", ("grannsamverkan.cli.registry",)),
    "priority": LazyCommand("rangordna en kommuns områden efter inbrottsstatistiken", ("grannsamverkan.cli.ranking",)),
    "backtest": LazyCommand(
        "pröva en rangordning i efterhand: bygg den på en period och räkna hur många av nästa periods inbrott den pekar ut",
        ("grannsamverkan.cli.ranking",),
    ),
    "goals": LazyCommand("kommunernas årsmål", ("grannsamverkan.cli.goals",)),
    "report": LazyCommand("årets skriftliga sammanfattning till uppföljningsrådet (Markdown eller HTML)", ("grannsamverkan.cli.goals",)),
    "promises": LazyCommand("medborgarlöften: kommunernas och polisens löften", ("grannsamverkan.cli.promises",)),
    "places": LazyCommand("e-tjänsten för otrygga platser: Open311-nycklar, e-post och gallring", ("grannsamverkan.cli.places",)),
    "lifecycle": LazyCommand(
        "gruppernas liv: grupper som inte förnyats blir vilande, kontaktombud varnas om inbrott i närheten",
        ("grannsamverkan.cli.lifecycle",),
    ),
    "accounts": LazyCommand("personliga konton (namn och lösenord) för inloggning på sidorna", ("grannsamverkan.cli.accounts",)),
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
    _start_read_ahead(argv)
    try:
        for module in _lazy_modules(argv):
            importlib.import_module(module)  # registers its parser and commands
        parser = build_parser()
        args = parser.parse_args(argv)
        return _run(args)
    finally:
        _files_read_ahead.clear()  # not taken: the command read another file, or none


def _run(args: argparse.Namespace) -> int:
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


def entry() -> NoReturn:
    """The ``grannsamverkan`` command (and ``python -m grannsamverkan``): :func:`main`, then out.

    Once the command has finished and its output is flushed, the process leaves without Python's
    teardown, which frees every module and array one by one (about 50 ms with numpy, pyarrow and
    shapely loaded) only for the operating system to take the memory back anyway: every cron run
    and import pays it. A process that started or joined the embedded PostgreSQL leaves the
    ordinary way, so that its exit handler stops the server when it is the last user."""
    code = main()
    logging.shutdown()
    with contextlib.suppress(OSError, ValueError):  # a closed or broken pipe: nothing more to say
        sys.stdout.flush()
        sys.stderr.flush()
    from grannsamverkan.db.embedded import serves_here

    if serves_here():
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    entry()
