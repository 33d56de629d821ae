"""The input file of `import households` and `import burglaries` is read on a thread while the
command's modules load; the command gets the same bytes, or the same Swedish error, as without."""

from __future__ import annotations

from pathlib import Path

import pytest

from grannsamverkan import cli
from grannsamverkan.errors import InvalidInput


def test_the_household_file_is_read_ahead_and_handed_over_once(tmp_path: Path) -> None:
    households = tmp_path / "hushåll.csv"
    households.write_bytes("external_ref,street\nh1,Storgårdsvägen 1\n".encode())
    cli._start_read_ahead(["import", "households", "--kommun", "2283", str(households)])
    assert list(cli._files_read_ahead) == [households]

    assert cli.read_file(households) == households.read_bytes()
    assert cli._files_read_ahead == {}  # handed over: a second read goes to the file again
    households.write_bytes(b"external_ref\nh2\n")
    assert cli.read_file(households) == b"external_ref\nh2\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["goals", "check", "{file}"],  # a command that reads no input file
        ["import", "households", "--kommun", "2283", "{missing}"],  # no such file
        ["import", "households", "{shapefile}"],  # read by path, with its sibling files
    ],
)
def test_nothing_is_read_ahead_for_other_commands_or_missing_files_or_shapefiles(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "data.csv").write_bytes(b"x\n")
    (tmp_path / "omraden.shp").write_bytes(b"\0")
    names = {"file": tmp_path / "data.csv", "missing": tmp_path / "saknas.csv", "shapefile": tmp_path / "omraden.shp"}
    cli._start_read_ahead([word.format(**names) for word in argv])
    assert cli._files_read_ahead == {}


def test_a_file_that_cannot_be_read_ahead_gives_the_commands_own_swedish_error(tmp_path: Path) -> None:
    folder = tmp_path / "inte-en-fil"
    folder.mkdir()
    cli._files_read_ahead[folder] = cli.FileReadAhead(folder)
    with pytest.raises(InvalidInput) as refused:
        cli.read_file(folder)
    without_read_ahead = pytest.raises(InvalidInput)
    with without_read_ahead as direct:
        cli.read_file(folder)
    assert refused.value.detail == direct.value.detail
    assert "inte-en-fil" in refused.value.detail


def test_main_forgets_a_file_it_read_ahead_but_did_not_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    households = tmp_path / "hushåll.csv"
    households.write_bytes(b"external_ref\nh1\n")
    with pytest.raises(SystemExit):  # argparse: --kommun is required
        cli.main(["import", "households", str(households)])
    assert cli._files_read_ahead == {}
    assert "--kommun" in capsys.readouterr().err
