"""The command line speaks Swedish: every command's --help, argparse's own words (usage, headings,
errors of a command line typed wrong) and the lines the commands print.

Walked for English as the error catalog is (tests/unit/test_messages.py), with the words a help
text gives away besides. What stays as it is: command and option names, choices (`--role police`),
quoted values and field names, which scripts and files use.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import json
import re
from collections.abc import Collection
from pathlib import Path

import pytest

from grannsamverkan import cli
from tests.geodata import RAMSELE, area_feature, grid_points, households_csv
from tests.unit.test_messages import english_words

#: Words of an English help text or line that the error catalog's list has no need for.
CLI_ENGLISH = re.compile(
    r"\b(the|a|an|and|or|of|to|for|on|at|as|with|into|each|every|one|its|their|this|that|when|which|once|instead|"
    r"default|show|help|message|exit|usage|positional|arguments|options|optional|required|choice|choose|unrecognized|"
    r"warning|file|files|print|read|write|load|loaded|make|keep|running|seconds|days|year|area|areas|household|"
    r"households|burglary|burglaries|group|groups|promise|promises|goal|goals|account|accounts|password|serve|serving|"
    r"revoke|revoked|create|created|disable|applied|inserted|updated|unchanged|skipped|exported|ranking|loading|mean|"
    r"rank|score|yes|train|test burglaries|hit rate|coverage|method)\b",
    re.IGNORECASE,
)
OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*")
CHOICES = re.compile(r"\{[^}]*\}")


def _load_every_command() -> argparse.ArgumentParser:
    for lazy in cli.LAZY_COMMANDS.values():
        for module in lazy.modules:
            importlib.import_module(module)
    return cli.build_parser()


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, (*path, name))
    return found


def _names(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """Every command name and every choice of an option, in the whole tree."""
    commands, choices = set(), set()
    for _, p in _parsers(parser):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                commands |= set(action.choices)
            elif action.choices:
                choices |= {str(c) for c in action.choices}
    return commands, choices


def _either(names: Collection[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


def english_in(text: str, *, commands: Collection[str] = (), choices: Collection[str] = ()) -> list[str]:
    """The English words of a help text or printed output, names of commands, options and choices left out."""
    text = CHOICES.sub(" ", OPTION.sub(" ", text))
    if commands:
        # a command's name where it names a command: after the program's name and in the list of commands
        text = re.sub(rf"grannsamverkan(?: (?:{_either(commands)}))*", "grannsamverkan", text)
        text = re.sub(rf"^ {{4}}(?:{_either(commands)})\b", " ", text, flags=re.MULTILINE)
    if choices:
        text = re.sub(rf"\b(?:{_either(choices)})\b", " ", text)
    return english_words(text) + [m.group(0) for m in CLI_ENGLISH.finditer(re.sub(r"'[^']*'", " ", text))]


def test_the_check_finds_english_in_a_help_text() -> None:
    assert english_in("usage: grannsamverkan [-h]\n\noptions:\n  -h, --help  show this help message and exit")
    assert english_in("areas: 3 inserted, 0 updated, 0 unchanged")
    assert english_in("print the summary as JSON")
    assert not english_in("användning: grannsamverkan [-h]\n\nflaggor:\n  -h, --help  visa den här hjälptexten och avsluta")
    assert not english_in("  --role {admin,coordinator,police}\n  --kind-field FÄLT  fältet i filen (standard: kind)")


def test_every_help_is_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    parser = _load_every_command()
    commands, choices = _names(parser)
    paths = [path for path, _ in _parsers(parser)]
    assert len(paths) > 30
    found = {}
    for path in paths:
        with pytest.raises(SystemExit) as done:
            cli.main([*path, "--help"])
        assert done.value.code == 0, path
        out = capsys.readouterr().out
        assert out.startswith("användning: grannsamverkan"), out
        assert "flaggor:" in out and "visa den här hjälptexten och avsluta" in out
        if words := english_in(out, commands=commands, choices=choices):
            found[" ".join(path) or "grannsamverkan"] = words
    assert not found, found


@pytest.mark.parametrize(
    ("argv", "swedish"),
    [
        (["nope"], "KOMMANDO: ogiltigt val: 'nope' (välj bland 'serve', 'db'"),
        (["priority"], "följande saknas: --kommun"),
        (["token", "create", "--role", "chef"], "--role: ogiltigt val: 'chef' (välj bland 'admin', 'coordinator', 'police')"),
        (["goals", "check", "--year", "tjugo"], "--year: inte ett heltal: 'tjugo'"),
        (["backtest", "--kommun", "2283", "--coverage", "en tiondel"], "--coverage: inte ett tal: 'en tiondel'"),
        (["report", "--kommun", "2283", "--year", "2026", "--as-of", "31/12"], "--as-of: inte ett datum (ÅÅÅÅ-MM-DD): '31/12'"),
        (["priority", "--kommun"], "--kommun: ett värde behövs"),
        (["db", "status", "--verbose"], "okända argument: --verbose"),
        (["import", "areas", "--k"], "tvetydig flagga: --k kan vara --kommun-field, --kind-field"),
    ],
)
def test_a_command_line_typed_wrong_is_answered_in_swedish(argv: list[str], swedish: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("användning: grannsamverkan"), err
    # Python 3.12.8 and 3.13.1 list the choices without quotes: 'serve', 'db' became serve, db
    assert f": fel: {swedish}".replace("'", "") in err.replace("'", ""), err
    assert not english_in(err, commands=_names(_load_every_command())[0]), err


def test_a_decimal_comma_is_a_number() -> None:
    parser = _load_every_command()
    args = parser.parse_args(["backtest", "--kommun", "2283", "--coverage", "0,25", "--bandwidth", "350.5"])
    assert (args.coverage, args.bandwidth) == (0.25, 350.5)


#: argparse's message ids that only a programmer sees (a parser built wrong), never a user.
PROGRAMMER_ERRORS = {
    ".__call__() not defined",
    "'required' is an invalid argument for positionals",
    "mutually exclusive arguments must be optional",
    "%r is not callable",
    "cannot merge actions - two groups are named %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "cannot have multiple subparser arguments",
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    "conflicting option string: %s",
    "conflicting option strings: %s",
    'argument "-" with mode %r',
}


def test_every_word_argparse_shows_has_a_swedish_one() -> None:
    """The message ids of the running Python's argparse (3.11 to 3.13 differ) are all translated."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    ids = {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext")
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    assert {"usage: ", "options", "%(prog)s: error: %(message)s\n"} <= ids
    assert not ids - PROGRAMMER_ERRORS - set(cli.ARGPARSE_WORDS)
    for english, swedish in cli.ARGPARSE_WORDS.items():
        # argparse's `%` fills the Swedish text as it fills its own: as many `%s`, no name it does not give
        assert re.findall(r"%[sr]", swedish) == re.findall(r"%[sr]", english), english
        assert set(re.findall(r"%\((\w+)\)", swedish)) <= set(re.findall(r"%\((\w+)\)", english)), english


def test_other_parsers_in_the_process_keep_their_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "användning:" in capsys.readouterr().out
    plain = argparse.ArgumentParser(prog="annat")
    assert plain.format_help().startswith("usage: annat") and "show this help message and exit" in plain.format_help()


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    async def run(*argv: str) -> str:
        code = await asyncio.to_thread(cli.main, list(argv))
        out, err = capsys.readouterr()
        assert code == 0, err
        return (out + err).replace(str(tmp_path), "MAPP")  # pytest's temporary folder: /tmp/pytest-of-…

    return run


async def test_what_the_commands_print_is_swedish(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    areas = tmp_path / "områden.geojson"
    areas.write_text(
        json.dumps({"type": "FeatureCollection", "features": [area_feature("Ramsele", "2283", RAMSELE, external_ref="ramsele")]}),
        encoding="utf-8",
    )
    households = tmp_path / "hushåll.csv"
    households.write_text(households_csv("h", grid_points(RAMSELE, 3)), encoding="utf-8")
    printed = {
        "db migrate": await run("db", "migrate"),
        "db status": await run("db", "status"),
        "token create": await run("token", "create", "--role", "coordinator", "--kommun", "2283", "--name", "samordnaren"),
        "token revoke": await run("token", "revoke", "samordnaren"),
        "token list": await run("token", "list"),
        "import areas": await run("import", "areas", str(areas)),
        "export areas": await run("export", "areas", "--kommun", "2283", str(tmp_path / "ut.geojson")),
        "import households": await run("import", "households", str(households), "--kommun", "2283"),
        "priority": await run("priority", "--kommun", "2283", "--include-covered"),
        "lifecycle lapse": await run("lifecycle", "lapse", "--kommun", "2283"),
    }
    assert printed["db migrate"].strip() == "databasen är redan uppdaterad"
    assert "körd" in printed["db status"]
    assert printed["token create"].startswith("skapade token 'samordnaren' (nr ")
    assert "roll coordinator, 2283); den visas bara en gång:" in printed["token create"]
    assert printed["token revoke"].startswith("återkallade token 'samordnaren' (nr ")
    assert "återkallad 20" in printed["token list"]
    assert printed["import areas"] == "områden: 1 nytt, 0 ändrade, 0 oförändrade\n"
    assert printed["export areas"].startswith("skrev 1 område till ")
    assert printed["import households"] == "hushåll: 3 nya, 0 ändrade, 3 i ett område, 0 utan område\n"
    assert "Prioriterade områden i 2283 Sollefteå" in printed["priority"] and "1 av 1 områden" in printed["priority"]
    assert printed["lifecycle lapse"].startswith("0 grupper blev vilande per ")
    tokens = re.compile(r"^gsv_\S+$", re.MULTILINE)  # the token itself: random letters
    english = {what: english_in(tokens.sub("", text)) for what, text in printed.items()}
    assert not any(english.values()), english
