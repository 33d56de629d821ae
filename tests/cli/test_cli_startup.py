"""The command line starts fast: `--help` loads no database driver, web framework or statistics
library (cron runs and every import pay for what loads at start). Checked by the modules a fresh
interpreter holds after the command, not by a clock."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grannsamverkan import cli

HEAVY = ("asyncpg", "litestar", "scipy", "numpy", "shapely", "pyarrow", "jinja2")

PROBE = """
import json, sys
from grannsamverkan.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in %r)), file=sys.stderr)
"""


def _loaded_after(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), *argv], capture_output=True, text=True, check=True, env=env)
    return {m.split(".")[0] for m in json.loads(done.stderr.strip().splitlines()[-1])}


@pytest.mark.parametrize("argv", [["--help"], ["token", "--help"], ["db", "--help"]])
def test_help_loads_nothing_heavy(argv: list[str]) -> None:
    assert _loaded_after(*argv) == set()


def test_priority_help_loads_what_priority_needs_only_when_asked() -> None:
    assert "litestar" not in _loaded_after("priority", "--help")


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _command_paths(sub, (*prefix, name))
    return paths


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    """Each sub-command's --help, with every module loaded (a help text that fails shows here)."""
    for lazy in cli.LAZY_COMMANDS.values():
        for module in lazy.modules:
            importlib.import_module(module)
    paths = _command_paths(cli.build_parser())
    assert len(paths) > 20
    for path in paths:
        with pytest.raises(SystemExit) as done:
            cli.main([*path, "--help"])
        assert done.value.code == 0, path
        assert "användning: grannsamverkan" in capsys.readouterr().out


async def test_goals_check_loads_no_statistics_or_web_framework(database_url: str) -> None:
    """The cron job's command: the database driver, but not scipy, numpy or Litestar."""
    env = {**os.environ, "DATABASE_URL": database_url}
    assert _loaded_after("goals", "check", "--year", "2026", env=env) == {"asyncpg"}


def test_import_households_loads_no_statistics() -> None:
    """The household import (a command users time) does not load the burglary importer's scipy."""
    assert "scipy" not in _loaded_after("import", "households", "--help")
    assert "scipy" in _loaded_after("import", "burglaries", "--help")


def test_the_command_leaves_with_its_exit_code_and_all_of_its_output(database_url: str, tmp_path: Path) -> None:
    """`entry` leaves without Python's teardown once the output is flushed: what a command printed
    (here several kilobytes through a pipe) arrives whole, and the exit code is the command's."""
    env = {**os.environ, "DATABASE_URL": database_url}
    helped = subprocess.run([sys.executable, "-m", "grannsamverkan", "import", "--help"], capture_output=True, text=True, env=env)
    assert helped.returncode == 0
    assert (
        len(helped.stdout) > 500
        and helped.stdout
        == subprocess.run(
            [sys.executable, "-c", "from grannsamverkan.cli import main; main(['import', '--help'])"],
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    )
    missing = tmp_path / "saknas.csv"
    failed = subprocess.run(
        [sys.executable, "-m", "grannsamverkan", "import", "households", str(missing), "--kommun", "2283", "--json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert failed.returncode == 2, failed.stderr
    assert json.loads(failed.stdout)["detail"] == f"Filen {missing} kan inte läsas: filen finns inte"
