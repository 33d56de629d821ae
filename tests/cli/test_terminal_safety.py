"""Issue 13, item 10: escape codes in area names must not reach a terminal.

An area named with ``ESC ] 0;…BEL`` (retitles the terminal), ``ESC [ 2 J`` (clears it) or a
right-to-left override is stored without them when imported, and a name already stored with them
(an older import, written straight to the table) is printed without them by ``priority`` and
``report --format md``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest

from grannsamverkan.cli import main
from grannsamverkan.domain.text import one_line, printable
from tests.db.test_burglaries_db import X0, Y0, insert_area
from tests.geodata import RAMSELE, area_feature

HOSTILE = "Nipan\x1b]0;pwned\x07\x1b[2J\x1b[31m\u202eröd\x9b"
CONTROL = [chr(c) for c in [*range(9), *range(11, 32), *range(0x7F, 0xA0)]] + ["\u202e", "\u2066"]


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)

    async def run(*argv: str) -> tuple[int, str, str]:
        code = await asyncio.to_thread(main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _has_control(text: str) -> bool:
    return any(c in text for c in CONTROL if c not in "\n\t")


def test_text_helpers_keep_swedish_letters_and_drop_controls() -> None:
    assert one_line("  Ramsele\tby\n ") == "Ramseleby"
    assert printable("å ä ö\n\tÅÄÖ é") == "å ä ö\n\tÅÄÖ é"
    assert not _has_control(printable(HOSTILE)) and printable(HOSTILE) == "Nipan]0;pwned[2J[31mröd"


async def test_imported_area_name_is_stored_without_controls(cli, conn: asyncpg.Connection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "areas.geojson"
    feature = area_feature(HOSTILE, "2283", RAMSELE, external_ref="evil")
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    code, _, err = await cli("import", "areas", str(path))
    assert code == 0, err
    assert await conn.fetchval("select name from area where external_ref = 'evil'") == "Nipan]0;pwned[2J[31mröd"


async def test_priority_and_report_print_no_controls(cli, conn: asyncpg.Connection) -> None:  # type: ignore[no-untyped-def]
    area_id = await insert_area(conn, "evil", X0, Y0, households=40)
    await conn.execute("update area set name = $1 where id = $2", HOSTILE, area_id)
    await conn.execute("insert into goal (kommun, year, target_new_groups) values ('2283', 2024, 10)")
    code, out, err = await cli("priority", "--kommun", "2283", "--from", "2024-01-01", "--to", "2024-12-31")
    assert code == 0, err
    assert "Nipan]0;pwned" in out and not _has_control(out)
    code, out, err = await cli("report", "--kommun", "2283", "--year", "2024", "--format", "md", "--as-of", "2024-12-31")
    assert code == 0, err
    assert "pwned" in out and "röd" in out and not _has_control(out)
